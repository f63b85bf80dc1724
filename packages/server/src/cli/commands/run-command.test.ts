import { cp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir } from "../../testing/make-temp-dir.ts";
import { runCliInProcess, runCliOrThrow } from "../../testing/run-cli-in-process.ts";
import { RAG_WORKFLOW_V2 } from "../../testing/workflows.ts";

// A seed data directory with a bot ready to answer, built once; each test runs on its own copy.
let dir: string;
let seed: string;
let botId: string;
let copies = 0;

async function seededDataDir(): Promise<string> {
  const copy = join(dir, `data-${++copies}`);
  await cp(seed, copy, { recursive: true });
  return copy;
}

beforeAll(async () => {
  dir = await makeTempDir("portflow-run-");
  await writeFile(join(dir, "rag.json"), JSON.stringify(RAG_WORKFLOW_V2));
  await writeFile(join(dir, "faq.md"), "# Refunds\n\nRefunds are paid back within 5 business days of the request.\n");
  seed = join(dir, "seed");
  botId = (JSON.parse(await runCliOrThrow(seed, "bots", "create", "--name", "stream", "--json")) as { id: string }).id;
  await runCliOrThrow(seed, "ingest", "--bot", botId, join(dir, "faq.md"));
  await runCliOrThrow(seed, "workflow", "push", "--bot", botId, join(dir, "rag.json"));
  await runCliOrThrow(seed, "workflow", "publish", "--bot", botId);
}, 90_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("portflow run (in process)", () => {
  it("writes the answer to stdout chunk by chunk as the LLM node streams it, before the sources", {
    timeout: 60_000,
  }, async () => {
    const run = await runCliInProcess(await seededDataDir(), "run", "--bot", botId, "How long do refunds take?");
    expect(run.code).toBe(0);
    const sourcesAt = run.stdout.writes.findIndex((w) => w.startsWith("Sources:"));
    expect(sourcesAt).toBeGreaterThan(0);
    const answerWrites = run.stdout.writes.slice(0, sourcesAt).filter((w) => w.trim() !== "");
    expect(answerWrites.length).toBeGreaterThan(1);
    expect(answerWrites.join("")).toContain("5 business days");
    expect(run.stdout.text).toMatch(/^answer\s+llm\s+succeeded/m);
  });

  it("answers --json with the run, its sources and node records (no streaming)", { timeout: 60_000 }, async () => {
    const run = await runCliInProcess(
      await seededDataDir(),
      "run",
      "--bot",
      botId,
      "How long do refunds take?",
      "--json",
    );
    expect(run.code).toBe(0);
    expect(run.stdout.writes).toHaveLength(1);
    const result = JSON.parse(run.stdout.text) as {
      status: string;
      answer: string;
      sources: unknown[];
      nodes: { node_id: string }[];
    };
    expect(result.status).toBe("succeeded");
    expect(result.answer).toContain("5 business days");
    expect(result.sources.length).toBeGreaterThan(0);
    expect(result.nodes.map((n) => n.node_id)).toEqual(["start", "retrieve", "answer", "end"]);
  });
});
