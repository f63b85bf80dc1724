/**
 * Run values stored once per run (`run_values`, migration 0011), on every backend: test files
 * call `describeRunValuesSuite` with the backend of `describeStorageSuite`.
 */
import { randomUUID } from "node:crypto";
import type { NodeExecutionRecord } from "@portflow/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage, type Storage } from "./create-storage.ts";
import { PgRunRecorder } from "./pg-run-recorder.ts";
import type { SuiteBackend } from "./storage-suite.ts";
import { ESCAPE_MARKER } from "./stored-json.ts";

/** Retrieved documents of about `kib` KiB, with text jsonb refuses (U+0000) and the escape marker. */
function documents(kib: number, label: string): { content: string; score: number; metadata: object }[] {
  return Array.from({ length: kib }, (_, i) => ({
    content: `${label} chunk ${i} nul\u0000 marker${ESCAPE_MARKER}0000 ${"x".repeat(960)}`,
    score: 1 / (i + 1),
    metadata: { document_id: `d${i}`, chunk_index: i },
  }));
}

function node(runId: string, step: number, nodeId: string, values: Partial<NodeExecutionRecord>): NodeExecutionRecord {
  const finishedAt = new Date();
  return {
    runId,
    nodeId,
    nodeType: nodeId,
    stepIndex: step,
    status: "succeeded",
    inputs: {},
    outputs: {},
    processData: {},
    attempts: 1,
    tokens: { input: 0, output: 0 },
    elapsedMs: 1,
    startedAt: finishedAt,
    finishedAt,
    ...values,
  };
}

export function describeRunValuesSuite(name: string, backend: SuiteBackend | undefined): void {
  describe.skipIf(backend === undefined)(`run values: ${name}`, () => {
    let storage: Storage;

    beforeAll(async () => {
      storage = createStorage(await backend!.open(), { validate: () => ({ ok: true, problems: [] }) });
    });
    afterAll(async () => {
      await storage?.close();
    });

    async function valueRows(runId: string): Promise<number> {
      const row = await storage.database.db
        .selectFrom("run_values")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("run_id", "=", runId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    }

    /** A chat's run: knowledge → llm → end, the documents reaching all three and the run's outputs. */
    async function recordChat(
      botId: string,
      docs: unknown,
      options: { recorder?: PgRunRecorder; startedAt?: Date } = {},
    ): Promise<string> {
      const recorder = options.recorder ?? storage.recorder;
      const runId = randomUUID();
      await recorder.runStarted({
        runId,
        botId,
        trigger: "chat",
        inputs: { query: "q" },
        startedAt: options.startedAt ?? new Date(),
      });
      await recorder.nodeFinished(
        node(runId, 1, "knowledge", { inputs: { query: "q" }, outputs: { documents: docs } }),
      );
      await recorder.nodeFinished(
        node(runId, 2, "llm", { inputs: { query: "q", context: docs }, outputs: { text: "answer" } }),
      );
      await recorder.nodeFinished(
        node(runId, 3, "end", {
          inputs: { answer: "answer", sources: docs },
          outputs: { answer: "answer", sources: docs },
        }),
      );
      await recorder.runFinished({
        runId,
        status: "succeeded",
        outputs: { answer: "answer", sources: docs },
        totalSteps: 3,
        tokens: { input: 0, output: 0 },
        elapsedMs: 1,
        finishedAt: new Date(),
      });
      return runId;
    }

    it("stores a value over 64 KiB that three nodes and the run's outputs use once, and reads it back whole everywhere", async () => {
      const bot = await storage.bots.create({ name: "values" });
      const docs = documents(100, "a");
      const runId = await recordChat(bot.id, docs);
      expect(await valueRows(runId)).toBe(1);

      const run = await storage.runs.get(bot.id, runId);
      expect(run?.truncated).toBe(false);
      expect(run?.outputs).toEqual({ answer: "answer", sources: docs });
      expect(run?.nodes.map((n) => n.truncated)).toEqual([false, false, false]);
      expect(run?.nodes[0]?.outputs).toEqual({ documents: docs });
      expect(run?.nodes[1]?.inputs).toEqual({ query: "q", context: docs });
      // Ports keep their order around a value stored out of line.
      expect(Object.keys(run?.nodes[2]?.inputs ?? {})).toEqual(["answer", "sources"]);
      expect(run?.nodes[2]?.outputs).toEqual({ answer: "answer", sources: docs });
      expect((await storage.runs.list(bot.id)).items[0]?.outputs).toEqual({ answer: "answer", sources: docs });
      // What a resume restores.
      const recorded = await storage.runSpecs.recordedNodes(runId);
      expect(recorded.map((n) => [n.nodeId, n.truncated])).toEqual([
        ["knowledge", false],
        ["llm", false],
        ["end", false],
      ]);
      expect(recorded[0]?.outputs).toEqual({ documents: docs });
    });

    it("keeps two runs' values apart: the same value is a row of each run, and deleting one run leaves the other whole", async () => {
      const bot = await storage.bots.create({ name: "two runs" });
      const shared = documents(4, "shared");
      const old = await recordChat(bot.id, shared, { startedAt: new Date(Date.now() - 40 * 86_400_000) });
      const recent = await recordChat(bot.id, shared);
      const other = await recordChat(bot.id, documents(4, "other"));
      expect([await valueRows(old), await valueRows(recent), await valueRows(other)]).toEqual([1, 1, 1]);

      expect(await storage.runs.deleteOlderThan(30, { botId: bot.id })).toBe(1);
      expect(await valueRows(old)).toBe(0);
      expect((await storage.runs.get(bot.id, recent))?.nodes[0]?.outputs).toEqual({ documents: shared });
      expect((await storage.runs.get(bot.id, other))?.nodes[0]?.outputs).toEqual({ documents: documents(4, "other") });
    });

    it("deleting a bot deletes its runs' values", async () => {
      const bot = await storage.bots.create({ name: "deleted" });
      const runId = await recordChat(bot.id, documents(4, "gone"));
      expect(await valueRows(runId)).toBe(1);
      await storage.bots.delete(bot.id);
      expect(await valueRows(runId)).toBe(0);
    });

    it("a recorder continuing a run another process started (a resume) stores a value already there once, without error", async () => {
      const bot = await storage.bots.create({ name: "continued" });
      const docs = documents(4, "continued");
      const runId = await recordChat(bot.id, docs);
      const other = new PgRunRecorder(storage.database.db);
      try {
        await other.nodeFinished(node(runId, 4, "after", { inputs: { again: docs, small: 1 }, outputs: { ok: true } }));
      } finally {
        other.close();
      }
      expect(await valueRows(runId)).toBe(1);
      const run = await storage.runs.get(bot.id, runId);
      expect(run?.nodes[3]?.inputs).toEqual({ again: docs, small: 1 });
    });

    it("small values stay inline: a run whose values are all under the inline size stores no value rows", async () => {
      const bot = await storage.bots.create({ name: "small" });
      const runId = await recordChat(bot.id, [{ content: "short", score: 1 }]);
      expect(await valueRows(runId)).toBe(0);
      expect((await storage.runs.get(bot.id, runId))?.nodes[0]?.outputs).toEqual({
        documents: [{ content: "short", score: 1 }],
      });
    });
  });
}
