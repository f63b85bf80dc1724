import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { startFakeBedrock } from "@portflow/nodes/testing";
import { afterAll, describe, expect, it } from "vitest";
import { setUpDemoBot, sourcesOf } from "./rag-bot.ts";

const dataDir = mkdtempSync(join(tmpdir(), "portflow-demo-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** The environment without a Bedrock bearer token, which would switch the SDK away from SigV4. */
function withoutBearerToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_BEARER_TOKEN_BEDROCK: _token, ...rest } = env;
  return rest;
}

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

  it("uses Amazon Bedrock when AWS configuration is present (the real SDK against a fake Bedrock)", async () => {
    const fake = await startFakeBedrock({ reply: () => ({ text: "Bedrock says: 30 days [1]" }) });
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "--conditions=source", join(import.meta.dirname, "main.ts")],
        {
          env: {
            ...withoutBearerToken(process.env),
            PORTFLOW_DATA_DIR: join(dataDir, "bedrock"),
            DATABASE_URL: "",
            LLM_PROVIDER: "bedrock",
            AWS_REGION: "us-east-1",
            BEDROCK_ENDPOINT: fake.endpoint,
            AWS_ACCESS_KEY_ID: "AKIDFAKEBEDROCK",
            AWS_SECRET_ACCESS_KEY: "fake-secret",
          },
        },
      );
      expect(stdout).toContain("Portflow demo — Amazon Bedrock");
      expect(stdout).toMatch(/A: Bedrock says: 30 days \[1\]/);
      const operations = new Set(fake.requests.map((r) => r.operation));
      expect(operations).toEqual(new Set(["invoke", "converse-stream"]));
    } finally {
      await fake.close();
    }
  }, 60_000);

  it("runs as `pnpm demo` does, and again without re-ingesting", async () => {
    const run = () =>
      promisify(execFile)(
        process.execPath,
        ["--import", "tsx", "--conditions=source", join(import.meta.dirname, "main.ts")],
        {
          env: { ...process.env, PORTFLOW_DATA_DIR: join(dataDir, "cli"), LLM_PROVIDER: "local", DATABASE_URL: "" },
        },
      );
    const first = await run();
    expect(first.stdout).toContain("published as version 1");
    expect(first.stdout).toMatch(/A: .*30 days/);
    expect(first.stdout).toContain("[1] warranty.md");
    expect(first.stdout).toMatch(/answer\s+llm\s+succeeded/);
    const second = await run();
    expect(second.stdout).toContain("already ingested");
    // the workflow did not change: publishing it again keeps version 1 (no v2 with the same graph)
    expect(second.stdout).toContain("published as version 1");
  }, 60_000);
});
