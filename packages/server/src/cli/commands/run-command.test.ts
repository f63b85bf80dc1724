import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAG_WORKFLOW_V2 } from "../../testing/workflows.ts";
import { runCli } from "../run-cli.ts";

/** A stream that keeps each write separately, so the test can see the answer arrive in pieces. */
class Capture extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(chunk.toString());
    callback();
  }
  get text(): string {
    return this.writes.join("");
  }
}

let dir: string;
const env = () => ({ PORTFLOW_DATA_DIR: join(dir, "data"), LLM_PROVIDER: "local" });

async function cli(...argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, env(), { stdout, stderr });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portflow-run-"));
  await writeFile(join(dir, "rag.json"), JSON.stringify(RAG_WORKFLOW_V2));
  await writeFile(join(dir, "faq.md"), "# Refunds\n\nRefunds are paid back within 5 business days of the request.\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("portflow run (in process)", () => {
  it("writes the answer to stdout chunk by chunk as the LLM node streams it, before the sources", {
    timeout: 90_000,
  }, async () => {
    const created = await cli("bots", "create", "--name", "stream", "--json");
    expect(created.code).toBe(0);
    const botId = (JSON.parse(created.stdout.text) as { id: string }).id;
    expect((await cli("ingest", "--bot", botId, join(dir, "faq.md"))).code).toBe(0);
    expect((await cli("workflow", "push", "--bot", botId, join(dir, "rag.json"))).code).toBe(0);
    expect((await cli("workflow", "publish", "--bot", botId)).code).toBe(0);

    const run = await cli("run", "--bot", botId, "How long do refunds take?");
    expect(run.code).toBe(0);
    const sourcesAt = run.stdout.writes.findIndex((w) => w.startsWith("Sources:"));
    const answerWrites = run.stdout.writes.slice(0, sourcesAt).filter((w) => w.trim() !== "");
    expect(answerWrites.length).toBeGreaterThan(1);
    expect(answerWrites.join("")).toContain("5 business days");
    expect(run.stdout.text).toMatch(/^answer\s+llm\s+succeeded/m);
  });

  it("answers --json with the run, its sources and node records (no streaming)", { timeout: 60_000 }, async () => {
    const list = await cli("bots", "list", "--json");
    const botId = (JSON.parse(list.stdout.text) as { items: { id: string }[] }).items[0]?.id as string;
    const run = await cli("run", "--bot", botId, "How long do refunds take?", "--json");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.text) as {
      status: string;
      answer: string;
      sources: unknown[];
      nodes: { nodeId: string }[];
    };
    expect(result.status).toBe("succeeded");
    expect(result.answer).toContain("5 business days");
    expect(result.sources.length).toBeGreaterThan(0);
    expect(result.nodes.map((n) => n.nodeId)).toEqual(["start", "retrieve", "answer", "end"]);
  });
});
