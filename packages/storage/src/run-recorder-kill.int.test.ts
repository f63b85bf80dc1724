import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createStorage } from "./create-storage.ts";
import { openDatabase } from "./open-database.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

// A real server: a SIGKILLed PGlite process may leave its data directory locked.
const server = await startPostgresServer();
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill("SIGKILL");
  await server?.stop();
});

const CHILD = fileURLToPath(new URL("./blocking-run-child.fixture.ts", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(server === undefined)("a process killed mid-run", () => {
  it("leaves nodes 1–2 recorded, and a fresh process sweeps the run to interrupted", async () => {
    const url = server!.url;
    const storage = createStorage(await openDatabase({ databaseUrl: url, embeddingDimensions: 8 }), {
      validate: () => ({ ok: true, problems: [] }),
    });
    try {
      const bot = await storage.bots.create({ name: "kill-test" });
      const runId = randomUUID();
      let output = "";
      // One node process (no tsx CLI wrapper that would survive the SIGKILL); `--import tsx`
      // resolves from cwd, the package directory.
      child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", CHILD, url, bot.id, runId], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (d: Buffer) => {
        output += d.toString();
      });
      child.stderr?.on("data", (d: Buffer) => {
        output += d.toString();
      });
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child!.once("exit", (code, signal) => resolve(signal ?? code)),
      );

      // Wait until the first two nodes are recorded and the third is blocking.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const run = await storage.runs.get(bot.id, runId);
        if (run && run.nodes.length >= 2 && output.includes("blocking")) break;
        if (child.exitCode !== null) throw new Error(`child exited early:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for the child:\n${output}`);
        await sleep(50);
      }
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      const before = await storage.runs.get(bot.id, runId);
      expect(before?.status).toBe("running");

      // A fresh process: new connections, a sweep at startup once the dead run's lease (1 s) ran out.
      const fresh = createStorage(await openDatabase({ databaseUrl: url, embeddingDimensions: 8 }), {
        validate: () => ({ ok: true, problems: [] }),
      });
      try {
        let swept: string[] = [];
        for (let i = 0; i < 40 && !swept.includes(runId); i++) {
          swept = await fresh.runs.sweepInterrupted();
          if (!swept.includes(runId)) await sleep(100);
        }
        expect(swept).toContain(runId);
        const run = await fresh.runs.get(bot.id, runId);
        expect(run).toMatchObject({
          status: "interrupted",
          totalSteps: 2,
          trigger: "debug",
          error: { code: "interrupted" },
        });
        expect(run?.nodes.map((n) => [n.stepIndex, n.nodeId, n.status])).toEqual([
          [1, "start", "succeeded"],
          [2, "greet", "succeeded"],
        ]);
        expect(run?.nodes[1]?.outputs).toEqual({ text: "hello world" });
      } finally {
        await fresh.close();
      }
    } finally {
      await storage.close();
    }
  }, 90_000);
});
