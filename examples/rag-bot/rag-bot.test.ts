import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { setUpDemoBot, sourcesOf } from "./rag-bot.ts";

const dataDir = mkdtempSync(join(tmpdir(), "portflow-demo-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("examples/rag-bot", () => {
  it("answers from the shipped documents with sources and a recorded execution", async () => {
    let streamed = "";
    const bot = await setUpDemoBot({
      providers: { provider: "local" },
      dataDir: join(dataDir, "lib"),
      onText: (delta) => {
        streamed += delta;
      },
    });
    try {
      expect(bot.ingested.map((i) => [i.filename, i.result.duplicate])).toEqual([
        ["returns-policy.md", false],
        ["shipping.txt", false],
        ["warranty.md", false],
      ]);
      const { result, recorded } = await bot.ask("How many days do I have to return a bike?");
      expect(result.status).toBe("succeeded");
      expect(String(result.outputs.answer)).toContain("30 days");
      expect(streamed).toBe(result.outputs.answer);
      expect(sourcesOf(result)[0]?.metadata.filename).toBe("returns-policy.md");
      expect(recorded.nodes.map((n) => [n.nodeId, n.status])).toEqual([
        ["start", "succeeded"],
        ["retrieve", "succeeded"],
        ["answer", "succeeded"],
        ["end", "succeeded"],
      ]);
    } finally {
      await bot.close();
    }
  });

  it("runs as `pnpm demo` does, and again without re-ingesting", async () => {
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", join(import.meta.dirname, "main.ts")], {
        env: { ...process.env, PORTFLOW_DATA_DIR: join(dataDir, "cli"), LLM_PROVIDER: "local", DATABASE_URL: "" },
      });
    const first = await run();
    expect(first.stdout).toContain("published as version 1");
    expect(first.stdout).toMatch(/A: .*30 days/);
    expect(first.stdout).toContain("[1] warranty.md");
    expect(first.stdout).toMatch(/answer\s+llm\s+succeeded/);
    const second = await run();
    expect(second.stdout).toContain("already ingested");
    expect(second.stdout).toContain("published as version 2");
  }, 60_000);
});
