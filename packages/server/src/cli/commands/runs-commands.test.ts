import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CountingHttpApi, startCountingHttpApi } from "../../testing/counting-http-api.ts";
import { type CliCallResult, runCliWithInput, runCliWithInputOrThrow } from "../../testing/run-cli-in-process.ts";
import { makeSeedDataDir, type SeedDataDir } from "../../testing/seed-data-dir.ts";

// A seed data directory, built once: a bot whose version 1 failed at step3 (`/step3` always
// answers 500); version 2 points step3 at `/fixed`; version 3 also changes step2. Each test runs
// on its own copy.
let dirs: SeedDataDir;
let botId: string;
let failedRun: string;
let api: CountingHttpApi;
let env: Record<string, string>;

/** start → step1 → step2 → step3 (gets step2's body as `prev`) → end, each step an http-request. */
function chain(step3 = "step3", step2 = "step2") {
  const call = (id: string, path: string, prev?: string) => ({
    id,
    type: "http-request",
    config: { url: prev === undefined ? `${api.origin}/${path}` : `${api.origin}/${path}?prev={{prev}}` },
    ...(prev !== undefined && { variable_mappings: [{ target_port: "prev", selector: [prev, "body"] }] }),
  });
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string" }] } },
      call("step1", "step1"),
      call("step2", step2),
      call("step3", step3, "step2"),
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["step3", "body"] }] },
    ],
    edges: [
      { source: "start", target: "step1" },
      { source: "step1", target: "step2" },
      { source: "step2", target: "step3" },
      { source: "step3", target: "end" },
    ],
  };
}

const cli = (data: string, ...argv: string[]): Promise<CliCallResult> => runCliWithInput(data, { env }, ...argv);
const cliOk = (data: string, ...argv: string[]) => runCliWithInputOrThrow(data, { env }, ...argv);

async function publish(data: string, graph: unknown, name: string): Promise<void> {
  const file = dirs.file(`${name}.json`);
  await writeFile(file, JSON.stringify(graph));
  await cliOk(data, "workflow", "push", "--bot", botId, file);
  await cliOk(data, "workflow", "publish", "--bot", botId);
}

/** A private copy of the seed; the API's call counts start from zero. */
function seededDataDir(): Promise<string> {
  api.calls.clear();
  return dirs.copySeed();
}

beforeAll(async () => {
  api = await startCountingHttpApi({ step3: "step3 is down" });
  env = { PORTFLOW_HTTP_ALLOW: `127.0.0.1:${api.port}` };
  dirs = await makeSeedDataDir("portflow-runs-");
  const seed = dirs.seed;
  botId = (JSON.parse(await cliOk(seed, "bots", "create", "--name", "resumable", "--json")) as { id: string }).id;
  await publish(seed, chain(), "v1");
  const failed = await cli(seed, "run", "--bot", botId, "hello", "--json");
  expect(failed.code).toBe(1);
  failedRun = (JSON.parse(failed.stdout.text) as { run_id: string }).run_id;
  await publish(seed, chain("fixed"), "v2");
  await publish(seed, chain("fixed", "step2b"), "v3");
}, 120_000);

afterAll(async () => {
  await dirs?.remove();
  await api?.close();
});

describe("portflow runs resume / rerun (in process)", () => {
  it("resumes on a compatible version: prints the run as `run --json` does, linked to the old run, without calling step1 or step2 again", {
    timeout: 60_000,
  }, async () => {
    const data = await seededDataDir();
    const resumed = await cli(data, "runs", "resume", failedRun, "--version", "2", "--json");
    expect(resumed.code).toBe(0);
    const body = JSON.parse(resumed.stdout.text);
    expect(body).toMatchObject({
      bot_id: botId,
      workflow: "V2 version 2",
      status: "succeeded",
      answer: "fixed-call1",
      resumed_from: failedRun,
      error: null,
    });
    expect(body.run_id).not.toBe(failedRun);
    expect(body.nodes.map((n: { node_id: string }) => n.node_id)).toEqual(["step3", "end"]);
    expect(Object.fromEntries(api.calls)).toEqual({ fixed: 1 });

    // a rerun of the resumed run starts from scratch: every node is called again
    const rerun = await cli(data, "runs", "rerun", body.run_id, "--json");
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout.text)).toMatchObject({
      status: "succeeded",
      resumed_from: null,
      answer: "fixed-call2",
    });
    expect(Object.fromEntries(api.calls)).toEqual({ step1: 1, step2: 1, fixed: 2 });
  });

  it("prints a resumed run's answer and node timeline as text", { timeout: 60_000 }, async () => {
    const data = await seededDataDir();
    const resumed = await cli(data, "runs", "resume", failedRun, "--from", "step2", "--version", "2");
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.text).toContain("fixed-call1");
    expect(resumed.stdout.text).toMatch(/^step2\s+http-request\s+succeeded/m);
    expect(resumed.stdout.text).toMatch(/^step3\s+http-request\s+succeeded/m);
    expect(resumed.stdout.text).not.toMatch(/^step1\s/m);
    expect(resumed.stderr.text).toContain(`bot ${botId} · V2 version 2 · run `);
    expect(Object.fromEntries(api.calls)).toEqual({ step2: 1, fixed: 1 });
  });

  it("exits 1 when the resumed run fails again, and when the version changed a reused node or does not exist", {
    timeout: 60_000,
  }, async () => {
    const data = await seededDataDir();
    const again = await cli(data, "runs", "resume", failedRun);
    expect(again.code).toBe(1);
    expect(again.stderr.text).toMatch(/portflow: run \S+ failed/);
    expect(again.stderr.text).toContain("step3 is down");
    expect(Object.fromEntries(api.calls)).toEqual({ step3: 1 });

    const incompatible = await cli(data, "runs", "resume", failedRun, "--version", "3");
    expect(incompatible.code).toBe(1);
    expect(incompatible.stderr.text).toContain(
      'version 3 is not compatible with this run up to its resume point: node "step2"',
    );
    expect(incompatible.stderr.text).toContain("(config changed)");

    const missing = await cli(data, "runs", "resume", failedRun, "--version", "9");
    expect(missing.code).toBe(1);
    expect(missing.stderr.text).toContain("workflow version 9 not found");
    const unknownRun = await cli(data, "runs", "rerun", "no-such-run");
    expect(unknownRun.code).toBe(1);
    expect(unknownRun.stderr.text).toContain("run no-such-run does not exist");
    expect(Object.fromEntries(api.calls)).toEqual({ step3: 1 });
  });

  it("exits 2 on usage errors: an unknown --from node, a --version that is no number, no run id", {
    timeout: 60_000,
  }, async () => {
    const data = await seededDataDir();
    const from = await cli(data, "runs", "resume", failedRun, "--from", "nope");
    expect(from.code).toBe(2);
    expect(from.stderr.text).toContain("--from nope: no top-level node");
    const version = await cli(data, "runs", "resume", failedRun, "--version", "two");
    expect(version.code).toBe(2);
    expect(version.stderr.text).toContain("expected a positive integer");
    expect((await cli(data, "runs", "resume")).code).toBe(2);
    expect(api.calls.size).toBe(0);
  });
});
