/**
 * Engine overhead with stub nodes and no I/O: linear-4, linear-100 and fan-out-50, with events
 * emitted (a listener attached) and per-node records kept; plain async calls as the floor.
 * Run alone: `tsx packages/engine/bench/index.ts`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { ServiceContainer, Services, WorkflowExecutorV2 } from "../src/index.ts";
import { createTestRegistry, MemoryRunRecorder } from "../src/testing/index.ts";
import { fanOut, iteration, linear, loop, ragLinear4 } from "./workflows.ts";

export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

/** Median µs per call of `fn` over `rounds` rounds of `iterations`, after a warm-up round. */
async function measure(fn: () => Promise<unknown>, iterations: number, rounds = 7): Promise<number> {
  for (let i = 0; i < iterations; i++) await fn();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) await fn();
    samples.push(((performance.now() - t0) * 1000) / iterations);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/** RSS of a plain `node` process (no TypeScript loader) that imported the engine and ran warm. */
async function measureRss(): Promise<{ warm: number; sustained: number }> {
  const dir = mkdtempSync(join(tmpdir(), "portflow-rss-"));
  try {
    const outfile = join(dir, "probe.mjs");
    await build({
      entryPoints: [join(import.meta.dirname, "rss-probe.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile,
      logLevel: "silent",
    });
    const out = execFileSync(process.execPath, ["--expose-gc", outfile], { encoding: "utf8" });
    return JSON.parse(out) as { warm: number; sustained: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A recorder whose writes complete at once and keep nothing: only the engine's side is measured. */
class DiscardingRecorder extends MemoryRunRecorder {
  override async runStarted(): Promise<void> {}
  override async nodeFinished(): Promise<void> {}
  override async runFinished(): Promise<void> {}
}

export default async function bench(): Promise<BenchRow[]> {
  const executor = new WorkflowExecutorV2(createTestRegistry());
  let events = 0;
  for (const name of ["node.started", "node.finished", "node.chunk", "run.finished"] as const) {
    executor.events.on(name, () => {
      events++;
    });
  }
  const inputs = { query: "how do refunds work?" };
  const l4 = executor.compile(ragLinear4);
  const l100 = executor.compile(linear(100));
  const f50 = executor.compile(fanOut(50));
  const check = await executor.run(l4, inputs);
  if (check.status !== "succeeded" || check.nodes.length !== 4)
    throw new Error("linear-4 bench workflow did not succeed");

  const linear4 = await measure(() => executor.run(l4, inputs), 5_000);
  const linear100 = await measure(() => executor.run(l100, inputs), 100);
  const fan50 = await measure(() => executor.run(f50, inputs), 300);

  // Sub-graphs: 1,000 items × a 3-node body, sequential and 10 rounds at once; a 1,000-round loop.
  const items = { items: Array.from({ length: 1_000 }, (_, i) => `item ${i}`) };
  const seq = executor.compile(iteration({ parallel: false }));
  const par = executor.compile(iteration({ parallel: true }));
  const loop1000 = executor.compile(loop(1_000));
  for (const [compiled, input] of [
    [seq, items],
    [par, items],
    [loop1000, inputs],
  ] as const) {
    const result = await executor.run(compiled, input);
    if (result.status !== "succeeded") throw new Error(`bench workflow failed: ${result.error?.message}`);
  }
  const iterationSeq = await measure(() => executor.run(seq, items), 5);
  const iterationPar = await measure(() => executor.run(par, items), 5);
  const loopRounds = await measure(() => executor.run(loop1000, inputs), 5);

  // With a recorder, every event waits for the writes queued before it (a node.finished for its
  // own row): the cost of "announced means recorded" per node, against an instant recorder.
  const recorded = new WorkflowExecutorV2(createTestRegistry(), {
    services: new ServiceContainer().register(Services.RunRecorder, new DiscardingRecorder()),
  });
  for (const name of ["node.started", "node.finished", "run.finished"] as const) {
    recorded.events.on(name, () => {
      events++;
    });
  }
  const r100 = recorded.compile(linear(100));
  const linear100Recorded = await measure(() => recorded.run(r100, inputs), 100);

  // The floor: the same four steps as plain async functions.
  const retrieve = async (q: string) => Array.from({ length: 5 }, (_, i) => ({ content: `fact ${i} ${q}` }));
  const answer = async (q: string, docs: { content: string }[]) => `answer: ${q} ${docs.length}`;
  const floor = await measure(async () => {
    const q = inputs.query;
    const docs = await retrieve(q);
    return { answer: await answer(q, docs) };
  }, 50_000);
  const rss = await measureRss();

  return [
    {
      group: "engine",
      name: "linear-4 (start → knowledge stub → llm stub → end)",
      value: linear4,
      unit: "µs/run",
      note: `${Math.round(1e6 / linear4).toLocaleString("en")} runs/s; target ≤ 11`,
    },
    { group: "engine", name: "linear-100", value: linear100 / 100, unit: "µs/node", note: "target ≤ 3.3" },
    {
      group: "engine",
      name: "linear-100 with a recorder (instant writes)",
      value: linear100Recorded / 100,
      unit: "µs/node",
      note: "events delivered after the writes queued before them",
    },
    {
      group: "engine",
      name: "fan-out-50 (start → 50 → join → end)",
      value: fan50,
      unit: "µs/run",
      note: "target ≤ 125",
    },
    {
      group: "engine",
      name: "iteration over 1,000 items, 3-node body, sequential",
      value: iterationSeq / 3_000,
      unit: "µs/inner node",
      note: `${(iterationSeq / 1000).toFixed(1)} ms/run; target ≤ 2 × linear-100 per node`,
    },
    {
      group: "engine",
      name: "iteration over 1,000 items, 3-node body, parallel (10)",
      value: iterationPar / 3_000,
      unit: "µs/inner node",
      note: `${(iterationPar / 1000).toFixed(1)} ms/run`,
    },
    {
      group: "engine",
      name: "loop of 1,000 rounds (1-node body)",
      value: loopRounds / 1_000,
      unit: "µs/round",
      note: `${(loopRounds / 1000).toFixed(1)} ms/run`,
    },
    { group: "engine", name: "plain async functions, same 4 steps (floor)", value: floor, unit: "µs/run" },
    {
      group: "engine",
      name: "RSS after import and 100 warm runs (plain node)",
      value: rss.warm,
      unit: "MB",
      note: "target ≤ 60",
    },
    {
      group: "engine",
      name: "RSS after 10,000 more runs (plain node)",
      value: rss.sustained,
      unit: "MB",
      note: `${events.toLocaleString("en")} events delivered during the timed runs`,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await bench());
}
