/**
 * The one repository / vector-store suite every database backend must pass. Test files call
 * `describeStorageSuite` with a factory for their backend (PGlite, a real PostgreSQL).
 */
import { randomUUID } from "node:crypto";
import {
  EndNode,
  type NodeExecutionRecord,
  NodeRegistryV2,
  StartNode,
  TemplateNode,
  validateWorkflow,
} from "@portflow/engine";
import { VECTOR_STORE_CONTRACT_DIMENSIONS, vectorStoreContract } from "@portflow/engine/testing";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "./api-key-repository.ts";
import { createStorage, type Storage } from "./create-storage.ts";
import { itKeepsKeywordPostingsExact } from "./keyword-postings-suite.ts";
import { itKeepsKeywordStatisticsExact } from "./keyword-statistics-suite.ts";
import { migrateToLatest, storageMigrator } from "./migrate.ts";
import type { StorageDatabase } from "./open-database.ts";
import { PgRunRecorder } from "./pg-run-recorder.ts";
import { binaryVector, botHnswIndexName, PgVectorStore } from "./pg-vector-store.ts";
import { itKeepsStatisticsRollupsExact } from "./statistics-rollup-suite.ts";
import { ConflictError, InvalidCursorError, InvalidWorkflowError, NotFoundError } from "./storage-error.ts";
import { ESCAPE_MARKER, MAX_STORED_JSON_DEPTH } from "./stored-json.ts";
import { upsertWithoutPostings } from "./upsert-without-postings.ts";
import { KyselyWorkflowVersionRepository, type WorkflowValidator } from "./workflow-version-repository.ts";

/** The contract's dimension, so one database serves both suites. */
export const SUITE_DIMENSIONS = VECTOR_STORE_CONTRACT_DIMENSIONS;

export interface SuiteBackend {
  /** Opens a migrated database with `SUITE_DIMENSIONS`-dimension embeddings. */
  open(): Promise<StorageDatabase>;
  /** Opens a new, empty database (no migration run), for migration tests. */
  openEmpty(): Promise<StorageDatabase>;
}

/** Accepts graphs whose nodes all have a known type; reports each other node. */
const KNOWN_TYPES = new Set(["start", "template", "end"]);
const validate: WorkflowValidator = (json) => {
  const nodes = (json as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes) || nodes.length === 0) {
    return { ok: false, problems: [{ path: "nodes", message: "a workflow needs nodes", code: "invalid_json" }] };
  }
  const problems = nodes.flatMap((node: { type?: unknown }, i) =>
    KNOWN_TYPES.has(String(node?.type))
      ? []
      : [{ path: `nodes[${i}].type`, message: `unknown node type "${String(node?.type)}"`, code: "unknown_node_type" }],
  );
  return { ok: problems.length === 0, problems };
};

const graph = (label: string) => ({
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: {} },
    { id: "t", type: "template", config: { template: label } },
    { id: "end", type: "end", config: {} },
  ],
  edges: [
    { source: "start", target: "t" },
    { source: "t", target: "end" },
  ],
});

/** A unit vector along `axis`, nudged towards `towards` by `mix`. */
function vec(axis: number, towards?: number, mix = 0): number[] {
  const v = new Array<number>(SUITE_DIMENSIONS).fill(0);
  v[axis % SUITE_DIMENSIONS] = 1;
  if (towards !== undefined) v[towards % SUITE_DIMENSIONS] = mix;
  return v;
}

function nodeRecord(runId: string, step: number, overrides: Partial<NodeExecutionRecord> = {}): NodeExecutionRecord {
  const finishedAt = new Date();
  return {
    runId,
    nodeId: `n${step}`,
    nodeType: step === 1 ? "start" : "template",
    stepIndex: step,
    status: "succeeded",
    inputs: { step },
    outputs: { text: `out ${step}` },
    processData: {},
    attempts: 1,
    tokens: { input: 10, output: 5 },
    elapsedMs: step * 10,
    startedAt: new Date(finishedAt.getTime() - step * 10),
    finishedAt,
    ...overrides,
  };
}

export function describeStorageSuite(name: string, backend: SuiteBackend | undefined): void {
  describe.skipIf(backend === undefined)(`storage suite: ${name}`, () => {
    let storage: Storage;

    beforeAll(async () => {
      storage = createStorage(await backend!.open(), { validate });
    });
    afterAll(async () => {
      await storage?.close();
    });

    const newBot = (label = "bot") => storage.bots.create({ name: `${label}-${randomUUID().slice(0, 8)}` });

    async function recordRun(
      botId: string,
      options: { status?: "succeeded" | "failed"; nodes?: number; startedAt?: Date; versionId?: string } = {},
    ): Promise<string> {
      const runId = randomUUID();
      const startedAt = options.startedAt ?? new Date();
      await storage.recorder.runStarted({
        runId,
        botId,
        workflowVersionId: options.versionId,
        trigger: "api",
        inputs: { query: "hi" },
        startedAt,
      });
      const count = options.nodes ?? 3;
      for (let step = 1; step <= count; step++) {
        const failed = options.status === "failed" && step === count;
        await storage.recorder.nodeFinished(
          nodeRecord(runId, step, {
            startedAt,
            finishedAt: startedAt,
            ...(failed ? { status: "failed", error: { message: "boom" } } : {}),
          }),
        );
      }
      await storage.recorder.runFinished({
        runId,
        status: options.status ?? "succeeded",
        outputs: { answer: "ok" },
        ...(options.status === "failed" ? { error: { message: "boom", nodeId: `n${count}` } } : {}),
        totalSteps: count,
        tokens: { input: 10 * count, output: 5 * count },
        elapsedMs: 100,
        finishedAt: new Date(startedAt.getTime() + 100),
      });
      return runId;
    }

    it("keeps conversation variables per bot and session, overwriting changed ones together", async () => {
      const bot = await newBot("conversation");
      const other = await newBot("conversation-other");
      expect(await storage.conversationVariables.get(bot.id, "s1")).toEqual({});
      await storage.conversationVariables.apply(bot.id, "s1", { name: "Ada", turns: 1, topics: ["x\u0000\ud800y"] });
      await storage.conversationVariables.apply(bot.id, "s1", { turns: 2 });
      await storage.conversationVariables.apply(bot.id, "s2", { name: "Bo" });
      await storage.conversationVariables.apply(other.id, "s1", { name: "Cy" });
      expect(await storage.conversationVariables.get(bot.id, "s1")).toEqual({
        name: "Ada",
        topics: ["x\u0000\ud800y"],
        turns: 2,
      });
      expect(await storage.conversationVariables.get(bot.id, "s2")).toEqual({ name: "Bo" });
      expect(await storage.conversationVariables.get(other.id, "s1")).toEqual({ name: "Cy" });
      await storage.bots.delete(bot.id);
      expect(await storage.conversationVariables.get(bot.id, "s1")).toEqual({});
    });

    it("migrations are idempotent", async () => {
      const again = await migrateToLatest(storage.database.db as Kysely<unknown>, {
        embeddingDimensions: SUITE_DIMENSIONS,
      });
      expect(again.error).toBeUndefined();
      expect(again.results).toEqual([]);
    });

    it("stores embeddings inline (STORAGE PLAIN) with a btree on bot_id and no global HNSW index", async () => {
      const { rows } = await sql<{ attstorage: string }>`
        SELECT attstorage FROM pg_attribute
        WHERE attrelid = 'document_embeddings'::regclass AND attname = 'embedding'`.execute(storage.database.db);
      expect(rows[0]?.attstorage).toBe("p");
      const indexes = await sql<{ indexdef: string }>`
        SELECT indexdef FROM pg_indexes WHERE tablename = 'document_embeddings'`.execute(storage.database.db);
      const defs = indexes.rows.map((r) => r.indexdef);
      expect(defs.some((d) => /btree \(bot_id\)/.test(d))).toBe(true);
      expect(defs.some((d) => /hnsw|ivfflat/.test(d) && !/WHERE/.test(d))).toBe(false);
    });

    it("works with the engine's validateWorkflow as its validator", async () => {
      const registry = new NodeRegistryV2()
        .register(new StartNode())
        .register(new TemplateNode())
        .register(new EndNode());
      const versions = new KyselyWorkflowVersionRepository(storage.database.db, (json) =>
        validateWorkflow(json, registry),
      );
      const bot = await newBot();
      const good = {
        schema_version: 2,
        nodes: [
          { id: "start", type: "start" },
          {
            id: "t",
            type: "template",
            config: { template: "{{q}}" },
            variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
          },
          { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["t", "text"] }] },
        ],
        edges: [
          { source: "start", target: "t" },
          { source: "t", target: "end" },
        ],
      };
      const draft = await versions.saveDraft(bot.id, good);
      expect(draft.problems).toEqual([]);
      expect(draft.schemaVersion).toBe(2);
      expect((await versions.publish(bot.id)).versionNumber).toBe(1);
      const broken = { ...good, nodes: [...good.nodes, { id: "x", type: "does-not-exist" }] };
      const invalid = await versions.saveDraft(bot.id, broken, { expectedRevision: draft.revision });
      expect(invalid.valid).toBe(false);
      expect(invalid.problems.map((p) => p.code)).toContain("unknown_node_type");
      const refused = await versions.publish(bot.id).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidWorkflowError);
    });

    it("creates, reads, lists, updates and deletes bots with lower-case statuses", async () => {
      const bot = await storage.bots.create({
        name: "support",
        legacyWorkflow: { nodes: [], edges: [] },
        settings: { model: "m" },
      });
      expect(bot).toMatchObject({ name: "support", status: "draft", useWorkflowV2: true, publishedVersionId: null });
      expect(bot.legacyWorkflow).toEqual({ nodes: [], edges: [] });
      expect(await storage.bots.get(bot.id)).toEqual(bot);
      const updated = await storage.bots.update(bot.id, { status: "active", useWorkflowV2: false });
      expect(updated).toMatchObject({ status: "active", useWorkflowV2: false, settings: { model: "m" } });
      const active = await storage.bots.list({ status: "active", limit: 500 });
      expect(active.items.map((b) => b.id)).toContain(bot.id);
      expect(active.items.every((b) => b.status === "active")).toBe(true);
      await expect(storage.bots.update(bot.id, { status: "Active" as "active" })).rejects.toThrow(RangeError);
      expect(await storage.bots.delete(bot.id)).toBe(true);
      expect(await storage.bots.get(bot.id)).toBeUndefined();
      expect(await storage.bots.delete(bot.id)).toBe(false);
      expect(await storage.bots.update(bot.id, { name: "x" })).toBeUndefined();
    });

    it("saves drafts with optimistic concurrency: a stale revision is a ConflictError", async () => {
      const bot = await newBot();
      const first = await storage.workflowVersions.saveDraft(bot.id, graph("a"));
      expect(first).toMatchObject({ status: "draft", revision: 1, etag: '"1"', versionNumber: null, valid: true });
      await expect(storage.workflowVersions.saveDraft(bot.id, graph("b"))).rejects.toBeInstanceOf(ConflictError);
      const second = await storage.workflowVersions.saveDraft(bot.id, graph("b"), { expectedRevision: 1 });
      expect(second.revision).toBe(2);
      expect(second.id).toBe(first.id);
      const stale = await storage.workflowVersions
        .saveDraft(bot.id, graph("c"), { expectedRevision: 1 })
        .catch((e: unknown) => e);
      expect(stale).toBeInstanceOf(ConflictError);
      expect((stale as ConflictError).currentRevision).toBe(2);
      expect((await storage.workflowVersions.getDraft(bot.id))?.graph).toEqual(graph("b"));
      const forced = await storage.workflowVersions.saveDraft(bot.id, graph("d"), { force: true });
      expect(forced.revision).toBe(3);
      await expect(storage.workflowVersions.saveDraft(randomUUID(), graph("x"))).rejects.toBeInstanceOf(NotFoundError);
    });

    it("stores an invalid draft with its problems and refuses to publish it", async () => {
      const bot = await newBot();
      const bad = {
        schema_version: 2,
        nodes: [
          { id: "a", type: "start" },
          { id: "b", type: "nope" },
        ],
        edges: [],
      };
      const draft = await storage.workflowVersions.saveDraft(bot.id, bad);
      expect(draft.valid).toBe(false);
      expect(draft.problems).toEqual([
        { path: "nodes[1].type", message: 'unknown node type "nope"', code: "unknown_node_type" },
      ]);
      expect((await storage.workflowVersions.getDraft(bot.id))?.problems).toHaveLength(1);
      const refused = await storage.workflowVersions.publish(bot.id).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidWorkflowError);
      expect((refused as InvalidWorkflowError).problems[0]?.path).toBe("nodes[1].type");
      expect(await storage.workflowVersions.getCurrent(bot.id)).toBeUndefined();
      expect((await storage.workflowVersions.list(bot.id)).total).toBe(0);
      await expect(storage.workflowVersions.publish((await newBot()).id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it("publishes numbered versions, archives the previous one, pages, gets by id or number and restores", async () => {
      const bot = await newBot();
      await storage.workflowVersions.saveDraft(bot.id, graph("v1"), { notes: "first" });
      const v1 = await storage.workflowVersions.publish(bot.id);
      expect(v1).toMatchObject({ status: "published", versionNumber: 1, current: true, notes: "first", valid: true });
      expect((await storage.bots.get(bot.id))?.publishedVersionId).toBe(v1.id);
      await expect(storage.workflowVersions.publish(bot.id, { expectedRevision: 99 })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await storage.workflowVersions.saveDraft(bot.id, graph("v2"), { expectedRevision: 1 });
      const v2 = await storage.workflowVersions.publish(bot.id, { notes: "second" });
      expect(v2.versionNumber).toBe(2);
      expect((await storage.workflowVersions.get(bot.id, v1.id))?.status).toBe("archived");
      expect((await storage.workflowVersions.get(bot.id, v1.id))?.graph).toEqual(graph("v1"));
      expect((await storage.workflowVersions.get(bot.id, 2))?.id).toBe(v2.id);
      expect((await storage.workflowVersions.get(bot.id, "1"))?.id).toBe(v1.id);
      expect((await storage.workflowVersions.getCurrent(bot.id))?.id).toBe(v2.id);
      const page1 = await storage.workflowVersions.list(bot.id, { limit: 1 });
      expect(page1).toMatchObject({ total: 2, limit: 1, offset: 0 });
      expect(page1.items.map((v) => v.versionNumber)).toEqual([2]);
      const page2 = await storage.workflowVersions.list(bot.id, { limit: 1, offset: 1 });
      expect(page2.items.map((v) => v.versionNumber)).toEqual([1]);

      const restored = await storage.workflowVersions.restore(bot.id, 1);
      expect(restored).toMatchObject({ status: "draft", restoredFromVersionId: v1.id, revision: 3 });
      expect(restored.graph).toEqual(graph("v1"));
      expect(restored.checksum).toBe(v1.checksum);
      await expect(storage.workflowVersions.restore(bot.id, 1, { expectedRevision: 1 })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(storage.workflowVersions.restore(bot.id, 7)).rejects.toBeInstanceOf(NotFoundError);
      // Older versions never change.
      expect((await storage.workflowVersions.get(bot.id, 2))?.graph).toEqual(graph("v2"));
    });

    it("getPublishedGraph: a published or archived version's graph by id, never a draft or another bot's", async () => {
      const bot = await newBot();
      const other = await newBot();
      const draft = await storage.workflowVersions.saveDraft(bot.id, graph("p1"));
      expect(await storage.workflowVersions.getPublishedGraph(bot.id, draft.id)).toBeUndefined();
      const v1 = await storage.workflowVersions.publish(bot.id);
      const first = await storage.workflowVersions.getPublishedGraph(bot.id, v1.id);
      expect(first).toEqual({
        id: v1.id,
        botId: bot.id,
        versionNumber: 1,
        schemaVersion: v1.schemaVersion,
        graph: graph("p1"),
        checksum: v1.checksum,
      });
      expect(await storage.workflowVersions.getPublishedGraph(other.id, v1.id)).toBeUndefined();
      expect(await storage.workflowVersions.getPublishedGraph(bot.id, "1")).toBeUndefined();
      // Archived by the next publish, and the draft saved meanwhile: v1 still answers with its own graph.
      await storage.workflowVersions.saveDraft(bot.id, graph("p2"), { force: true });
      const v2 = await storage.workflowVersions.publish(bot.id);
      expect((await storage.workflowVersions.getPublishedGraph(bot.id, v1.id))?.graph).toEqual(graph("p1"));
      expect((await storage.workflowVersions.getPublishedGraph(bot.id, v2.id))?.graph).toEqual(graph("p2"));
    });
    it("publishing an unchanged draft returns the current version; 20 concurrent publishes make one", async () => {
      const bot = await newBot();
      await storage.workflowVersions.saveDraft(bot.id, graph("c"));
      const published = await Promise.all(Array.from({ length: 20 }, () => storage.workflowVersions.publish(bot.id)));
      expect(new Set(published.map((v) => v.id)).size).toBe(1);
      expect(published[0]?.versionNumber).toBe(1);
      const all = await storage.workflowVersions.list(bot.id, { limit: 100 });
      expect(all.total).toBe(1);
      expect((await storage.bots.get(bot.id))?.publishedVersionId).toBe(published[0]?.id);
      // A changed draft is the next number; going back to the first graph is a third version, not v1.
      await storage.workflowVersions.saveDraft(bot.id, graph("d"), { force: true });
      expect((await storage.workflowVersions.publish(bot.id)).versionNumber).toBe(2);
      await storage.workflowVersions.saveDraft(bot.id, graph("c"), { force: true });
      expect((await storage.workflowVersions.publish(bot.id)).versionNumber).toBe(3);
      expect((await storage.workflowVersions.publish(bot.id)).versionNumber).toBe(3);
    });

    it("records a run as it goes and returns it with node executions in step order", async () => {
      const bot = await newBot();
      const runId = randomUUID();
      const startedAt = new Date();
      await storage.recorder.runStarted({
        runId,
        botId: bot.id,
        trigger: "chat",
        sessionId: "s1",
        inputs: { q: 1 },
        startedAt,
      });
      expect((await storage.runs.get(bot.id, runId))?.status).toBe("running");
      // Finish order 2, 1, 3 on the wire; step order is what the detail shows.
      await storage.recorder.nodeFinished(nodeRecord(runId, 2));
      await storage.recorder.nodeFinished(nodeRecord(runId, 1));
      const partial = await storage.runs.get(bot.id, runId);
      expect(partial?.nodes.map((n) => n.nodeId)).toEqual(["n1", "n2"]);
      await storage.recorder.nodeFinished(
        nodeRecord(runId, 3, { status: "failed", error: { message: "bad", code: "E" }, attempts: 3 }),
      );
      await storage.recorder.runFinished({
        runId,
        status: "failed",
        outputs: {},
        error: { message: "bad", nodeId: "n3" },
        totalSteps: 3,
        tokens: { input: 30, output: 15 },
        elapsedMs: 42.4,
        finishedAt: new Date(),
      });
      const run = await storage.runs.get(bot.id, runId);
      expect(run).toMatchObject({
        status: "failed",
        trigger: "chat",
        sessionId: "s1",
        totalSteps: 3,
        tokens: { input: 30, output: 15 },
        elapsedMs: 42.4,
        error: { message: "bad", nodeId: "n3" },
        inputs: { q: 1 },
        truncated: false,
      });
      expect(run?.nodes.map((n) => [n.stepIndex, n.status])).toEqual([
        [1, "succeeded"],
        [2, "succeeded"],
        [3, "failed"],
      ]);
      expect(run?.nodes[2]).toMatchObject({
        attempts: 3,
        error: { message: "bad", code: "E" },
        outputs: { text: "out 3" },
      });
    });

    it("a submitted run is queued with its spec, then started by the recorder as the same row, with branches kept", async () => {
      const bot = await newBot();
      const runId = randomUUID();
      const spec = { spec_version: 1, inputs: { query: "hi" }, trigger: "chat" };
      await storage.runSpecs.submit({ id: runId, botId: bot.id, trigger: "chat", inputs: { query: "hi" }, spec });
      const queued = await storage.runs.list(bot.id, { status: "queued" });
      expect(queued.items.map((r) => [r.id, r.status])).toEqual([[runId, "queued"]]);
      expect(await storage.runSpecs.get(runId)).toMatchObject({ botId: bot.id, status: "queued", spec });
      const startedAt = new Date(Date.now() + 5_000);
      await storage.recorder.runStarted({ runId, botId: bot.id, trigger: "chat", inputs: { query: "hi" }, startedAt });
      const running = await storage.runs.get(bot.id, runId);
      expect(running?.status).toBe("running");
      expect(running?.startedAt.getTime()).toBe(startedAt.getTime());
      await storage.recorder.nodeFinished({
        ...nodeRecord(runId, 1),
        branch: "fail",
        handledBy: "fail-branch",
      });
      expect(await storage.runSpecs.recordedNodes(runId)).toMatchObject([
        { nodeId: "n1", stepIndex: 1, status: "succeeded", branch: "fail", handledBy: "fail-branch", truncated: false },
      ]);
      expect((await storage.runs.get(bot.id, runId))?.nodes[0]).toMatchObject({
        branch: "fail",
        handledBy: "fail-branch",
      });
      // Only a queued run can be ended before it starts.
      const error = { message: "cancelled while queued", code: "CANCELLED" };
      expect(await storage.runSpecs.finishQueued(runId, { status: "cancelled", error })).toBe(false);
      const other = randomUUID();
      await storage.runSpecs.submit({ id: other, botId: bot.id, trigger: "api", inputs: {}, spec });
      expect(await storage.runSpecs.finishQueued(other, { status: "cancelled", error })).toBe(true);
      expect((await storage.runs.get(bot.id, other))?.status).toBe("cancelled");
    });

    it("a run submitted to start here is running under this recorder at once; its start writes nothing; a lapsed one is swept and let go", async () => {
      const bot = await newBot();
      const runId = randomUUID();
      const spec = { spec_version: 1, inputs: {}, trigger: "api" };
      await storage.runSpecs.submit(
        { id: runId, botId: bot.id, trigger: "api", inputs: {}, spec },
        { startHere: true },
      );
      const row = await storage.database.db
        .selectFrom("workflow_execution_runs")
        .select(["status", "lease_owner", "queued_at", "spec"])
        .where("id", "=", runId)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: "running", lease_owner: storage.recorder.ownerId });
      expect(row.queued_at).not.toBeNull();
      // The engine's run start for it leaves the row as submitted (its started_at is not moved).
      const before = await storage.runs.get(bot.id, runId);
      await storage.recorder.runStarted({ runId, botId: bot.id, inputs: {}, startedAt: new Date(Date.now() + 60_000) });
      expect((await storage.runs.get(bot.id, runId))?.startedAt).toEqual(before?.startedAt);
      await storage.recorder.writeMany([
        { kind: "node", node: nodeRecord(runId, 1) },
        {
          kind: "finish",
          run: {
            runId,
            status: "succeeded",
            outputs: { answer: "ok" },
            totalSteps: 1,
            tokens: { input: 0, output: 0 },
            elapsedMs: 1,
            finishedAt: new Date(),
          },
        },
      ]);
      const done = await storage.runs.get(bot.id, runId);
      expect(done).toMatchObject({ status: "succeeded", outputs: { answer: "ok" } });
      expect(done?.nodes.map((n) => n.nodeId)).toEqual(["n1"]);
      // Submitted to start here by a process that never started it: its lease lapses like any other.
      const lapsed = randomUUID();
      const shortLease = createStorage(storage.database, { validate, recorder: { leaseMs: 1 } });
      await shortLease.runSpecs.submit(
        { id: lapsed, botId: bot.id, trigger: "api", inputs: {}, spec },
        { startHere: true },
      );
      await expect.poll(async () => (await storage.runs.sweepInterrupted()).includes(lapsed)).toBe(true);
      expect((await storage.runs.get(bot.id, lapsed))?.status).toBe("interrupted");
      // The recorder lets go of the never-started run once its lease is long over (2 × leaseMs).
      const submittedBy = Date.now();
      await expect.poll(() => Date.now() - submittedBy > 2).toBe(true);
      await shortLease.runSpecs.submit(
        { id: randomUUID(), botId: bot.id, trigger: "api", inputs: {}, spec },
        { startHere: true },
      );
      expect(shortLease.recorder.adoptedPending).toBe(1);
    });

    it("truncates run inputs over the limit with a flag; node values over it are stored whole", async () => {
      const bot = await newBot();
      const recorder = new PgRunRecorder(storage.database.db, { maxJsonBytes: 1_000 });
      const runId = randomUUID();
      await recorder.runStarted({ runId, botId: bot.id, inputs: { big: "x".repeat(5_000) }, startedAt: new Date() });
      await recorder.nodeFinished(
        nodeRecord(runId, 1, { outputs: { text: "y".repeat(5_000), nul: "a\u0000b" }, processData: { n: 1n } }),
      );
      await recorder.nodeFinished(nodeRecord(runId, 2, { outputs: { nul: "a\u0000b", big: 2n } }));
      await recorder.runFinished({
        runId,
        status: "succeeded",
        outputs: { ok: true },
        totalSteps: 2,
        tokens: { input: 0, output: 0 },
        elapsedMs: 1,
        finishedAt: new Date(),
      });
      recorder.close();
      const run = await storage.runs.get(bot.id, runId);
      expect(run?.truncated).toBe(true);
      expect(run?.inputs).toMatchObject({ __truncated: true, original_bytes: 5_010 });
      expect(run?.nodes[0]?.truncated).toBe(false);
      expect(run?.nodes[0]?.outputs).toEqual({ text: "y".repeat(5_000), nul: "a\u0000b" });
      expect(run?.nodes[0]?.processData).toEqual({ n: "1" });
      expect(run?.nodes[1]?.truncated).toBe(false);
      expect(run?.nodes[1]?.outputs).toEqual({ nul: "a\u0000b", big: "2" });
    });

    it("stores text jsonb refuses (U+0000, lone surrogates) and the escape marker losslessly, in every JSON column", async () => {
      const awkward = `nul\u0000 high\ud800 low\udc00 pair\ud83d\ude00 marker${ESCAPE_MARKER}0000 backslash\\u0000 crlf\r\n`;
      const value = { text: awkward, [`key${awkward}`]: [awkward, { nested: awkward }], n: 1 };
      const bot = await storage.bots.create({ name: "lossless", settings: value, legacyWorkflow: value });
      expect((await storage.bots.get(bot.id))?.settings).toEqual(value);
      expect((await storage.bots.get(bot.id))?.legacyWorkflow).toEqual(value);
      // read through the key it comes with, too
      const key = await storage.apiKeys.create({ name: "lossless", botId: bot.id });
      expect((await storage.apiKeys.verify(key.plaintext))?.bot).toEqual(await storage.bots.get(bot.id));

      const runId = randomUUID();
      await storage.recorder.runStarted({ runId, botId: bot.id, inputs: value, startedAt: new Date() });
      await storage.recorder.nodeFinished(
        nodeRecord(runId, 1, {
          inputs: value,
          outputs: value,
          processData: value,
          status: "failed",
          error: { message: awkward, code: "E" },
        }),
      );
      await storage.recorder.runFinished({
        runId,
        status: "failed",
        outputs: value,
        error: { message: awkward, nodeId: "n1" },
        totalSteps: 1,
        tokens: { input: 0, output: 0 },
        elapsedMs: 1,
        finishedAt: new Date(),
      });
      const run = await storage.runs.get(bot.id, runId);
      expect(run).toMatchObject({ inputs: value, outputs: value, error: { message: awkward, nodeId: "n1" } });
      expect(run?.nodes[0]).toMatchObject({
        inputs: value,
        outputs: value,
        processData: value,
        error: { message: awkward, code: "E" },
      });
      expect((await storage.runs.list(bot.id)).items[0]?.inputs).toEqual(value);

      const awkwardGraph = {
        ...graph(awkward),
        nodes: [...graph(awkward).nodes, { id: awkward, type: `bad${awkward}`, config: value }],
      };
      const draft = await storage.workflowVersions.saveDraft(bot.id, awkwardGraph);
      expect(draft.problems).toEqual([
        { path: "nodes[3].type", message: `unknown node type "bad${awkward}"`, code: "unknown_node_type" },
      ]);
      const read = await storage.workflowVersions.getDraft(bot.id);
      expect(read?.graph).toEqual(awkwardGraph);
      expect(read?.problems).toEqual(draft.problems);
      const valid = { ...graph(awkward), name: value };
      await storage.workflowVersions.saveDraft(bot.id, valid, { expectedRevision: draft.revision });
      const published = await storage.workflowVersions.publish(bot.id);
      expect((await storage.workflowVersions.get(bot.id, published.id))?.graph).toEqual(valid);
      const restored = await storage.workflowVersions.restore(bot.id, published.id);
      expect(restored.graph).toEqual(valid);
      expect(restored.checksum).toBe(published.checksum);

      await storage.vectors.upsert(bot.id, [
        { documentId: "d", chunkIndex: 0, content: "c", metadata: value, embedding: vec(0) },
      ]);
      const [hit] = await storage.vectors.search(bot.id, vec(0), { topK: 1, filter: { text: awkward } });
      expect(hit?.metadata).toEqual(value);
      expect((await storage.vectors.listChunks(bot.id, "d"))[0]?.metadata).toEqual(value);
    });

    it("refuses a draft nested too deep for PostgreSQL with a too_deep problem naming the path", async () => {
      const bot = await newBot();
      let deep: unknown = "leaf";
      for (let i = 0; i < 20_000; i++) deep = { a: deep };
      const refused = await storage.workflowVersions
        .saveDraft(bot.id, { ...graph("deep"), extra: deep })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(InvalidWorkflowError);
      const [problem] = (refused as InvalidWorkflowError).problems;
      expect(problem?.code).toBe("too_deep");
      expect(problem?.path).toBe(`extra${".a".repeat(MAX_STORED_JSON_DEPTH - 1)}`);
      expect(await storage.workflowVersions.getDraft(bot.id)).toBeUndefined();
    });

    it("lists runs with filters and a cursor, and computes statistics", async () => {
      const bot = await newBot();
      const day = 86_400_000;
      const base = Date.UTC(2026, 0, 10, 12);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await recordRun(bot.id, { startedAt: new Date(base + i * 1000), versionId: "v1" }));
      }
      ids.push(await recordRun(bot.id, { startedAt: new Date(base + day), status: "failed", versionId: "v2" }));
      ids.push(await recordRun(bot.id, { startedAt: new Date(base + day + 1000), status: "failed", versionId: "v2" }));

      const all: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 10; page++) {
        const list = await storage.runs.list(bot.id, { limit: 3, ...(cursor ? { cursor } : {}) });
        all.push(...list.items.map((r) => r.id));
        if (!list.nextCursor) break;
        cursor = list.nextCursor;
      }
      expect(all).toEqual([...ids].reverse());
      expect((await storage.runs.list(bot.id, { status: "failed" })).items.map((r) => r.id)).toEqual([ids[6], ids[5]]);
      expect((await storage.runs.list(bot.id, { versionId: "v1" })).items).toHaveLength(5);
      expect(
        (await storage.runs.list(bot.id, { from: new Date(base + 2000), to: new Date(base + 4000) })).items.map(
          (r) => r.id,
        ),
      ).toEqual([ids[3], ids[2]]);
      const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");
      const issued = (await storage.runs.list(bot.id, { limit: 1 })).nextCursor ?? "";
      for (const bad of [
        "nonsense",
        issued.slice(0, -4),
        issued.slice(2),
        forged(["garbage", "x"]),
        forged(["2026-13-45 12:00:00+00", "x"]),
        forged(["2026-01-10 12:00:00+00", "id\u0000"]),
        forged(["2026-01-10 12:00:00+99", "x"]),
        forged({ ts: "2026-01-10 12:00:00+00" }),
      ]) {
        await expect(storage.runs.list(bot.id, { cursor: bad }), bad).rejects.toBeInstanceOf(InvalidCursorError);
      }

      const stats = await storage.statistics.forWindow(bot.id, { window: "7d", to: new Date(base + 2 * day) });
      expect(stats).toMatchObject({
        totalRuns: 7,
        byStatus: { succeeded: 5, failed: 2 },
        finishedRuns: 7,
        failedRuns: 2,
        tokens: { input: 210, output: 105 },
        queueWait: { runs: 0, avgMs: null },
      });
      expect(stats.buckets.filter((b) => b.total > 0).map((b) => [b.start.toISOString(), b.byStatus])).toEqual([
        ["2026-01-10T00:00:00.000Z", { succeeded: 5 }],
        ["2026-01-11T00:00:00.000Z", { failed: 2 }],
      ]);
      expect(stats.nodeTypes.map(({ nodeType, executions, failures }) => [nodeType, executions, failures])).toEqual([
        ["start", 7, 0],
        ["template", 14, 2],
      ]);
      // percentile_cont gives 10/10 and 25/30 ms; the latency buckets read are 2.2 % wide
      const [start, template] = stats.nodeTypes;
      for (const [got, want] of [
        [start?.p50Ms, 10],
        [start?.p95Ms, 10],
        [template?.p50Ms, 25],
        [template?.p95Ms, 30],
      ] as const) {
        expect(Math.abs((got ?? Number.NaN) - want)).toBeLessThanOrEqual(want * 0.022 + 0.05);
      }
      const empty = await storage.statistics.forWindow(bot.id, { window: "24h", to: new Date(1000) });
      expect(empty).toMatchObject({ totalRuns: 0, failureRate: null, nodeTypes: [] });
    });

    itKeepsStatisticsRollupsExact(() => storage);
    itKeepsKeywordStatisticsExact(
      () => storage,
      () => backend!.openEmpty(),
      SUITE_DIMENSIONS,
    );
    itKeepsKeywordPostingsExact(
      () => storage,
      () => backend!.openEmpty(),
      SUITE_DIMENSIONS,
    );

    it("deletes runs older than N days in bounded batches, with their node executions", async () => {
      const bot = await newBot();
      const old = new Date(Date.now() - 40 * 86_400_000);
      const oldIds = await Promise.all([1, 2, 3, 4, 5].map(() => recordRun(bot.id, { startedAt: old })));
      const recent = await recordRun(bot.id);
      const firstBatch = await storage.runs.deleteOlderThan(30, { batchSize: 2, maxBatches: 1, botId: bot.id });
      expect(firstBatch).toBe(2);
      const rest = await storage.runs.deleteOlderThan(30, { batchSize: 2, botId: bot.id });
      expect(rest).toBe(3);
      for (const id of oldIds) expect(await storage.runs.get(bot.id, id)).toBeUndefined();
      expect(await storage.runs.get(bot.id, recent)).toBeDefined();
      const orphans = await storage.database.db
        .selectFrom("workflow_node_executions")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("run_id", "in", oldIds)
        .executeTakeFirstOrThrow();
      expect(Number(orphans.n)).toBe(0);
    });

    it("sweeps runs whose lease expired to interrupted, once, with concurrent sweepers", async () => {
      const bot = await newBot();
      const dead = new PgRunRecorder(storage.database.db, { leaseMs: 1, ownerId: "dead-process" });
      const ids: string[] = Array.from({ length: 6 }, () => randomUUID());
      for (const runId of ids) {
        await dead.runStarted({ runId, botId: bot.id, inputs: {}, startedAt: new Date() });
        await dead.nodeFinished(nodeRecord(runId, 1));
      }
      dead.close(); // the process "dies": no more heartbeats
      const alive = new PgRunRecorder(storage.database.db, { leaseMs: 60_000 });
      const liveRun = randomUUID();
      await alive.runStarted({ runId: liveRun, botId: bot.id, inputs: {}, startedAt: new Date() });
      // The dead process's 1 ms leases run out on the database's clock: wait for that, not a fixed time.
      const expiredLeases = async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM workflow_execution_runs
          WHERE id IN (${sql.join(ids)}) AND lease_expires_at < now()`.execute(storage.database.db);
        return rows[0]?.n;
      };
      await expect.poll(expiredLeases, { timeout: 10_000, interval: 5 }).toBe(ids.length);
      const [a, b, c] = await Promise.all([
        storage.runs.sweepInterrupted({ batchSize: 2 }),
        storage.runs.sweepInterrupted({ batchSize: 2 }),
        storage.runs.sweepInterrupted(),
      ]);
      const swept = [...a, ...b, ...c].filter((id) => ids.includes(id) || id === liveRun);
      expect(swept.sort()).toEqual([...ids].sort());
      const run = await storage.runs.get(bot.id, ids[0]!);
      expect(run).toMatchObject({ status: "interrupted", totalSteps: 1, error: { code: "interrupted" } });
      expect(run?.nodes).toHaveLength(1);
      expect((await storage.runs.get(bot.id, liveRun))?.status).toBe("running");
      expect(await storage.runs.sweepInterrupted()).not.toContain(ids[0]);
      await alive.runFinished({
        runId: liveRun,
        status: "succeeded",
        outputs: {},
        totalSteps: 0,
        tokens: { input: 0, output: 0 },
        elapsedMs: 1,
        finishedAt: new Date(),
      });
      alive.close();
    });

    it("sweeps the runs of an earlier boot of the same instance at once, leaving other instances' live leases", async () => {
      const bot = await newBot();
      const instanceId = `instance-${randomUUID().slice(0, 8)}`;
      const start = (recorder: PgRunRecorder) => {
        const runId = randomUUID();
        return recorder.runStarted({ runId, botId: bot.id, inputs: {}, startedAt: new Date() }).then(() => runId);
      };
      const crashed = new PgRunRecorder(storage.database.db, { instanceId, leaseMs: 60_000 });
      const crashedRun = await start(crashed);
      crashed.close(); // killed: its lease still has a minute to go
      const peer = new PgRunRecorder(storage.database.db, { instanceId: `${instanceId}-peer`, leaseMs: 60_000 });
      const peerRun = await start(peer);
      const restarted = new PgRunRecorder(storage.database.db, { instanceId, leaseMs: 60_000 });
      const ownRun = await start(restarted);

      const swept = await storage.runs.sweepInterrupted({ earlierBootsOf: restarted });
      expect(swept).toContain(crashedRun);
      expect(swept).not.toContain(peerRun);
      expect(swept).not.toContain(ownRun);
      expect(await storage.runs.get(bot.id, crashedRun)).toMatchObject({
        status: "interrupted",
        error: { code: "interrupted" },
      });
      expect((await storage.runs.get(bot.id, peerRun))?.status).toBe("running");
      expect((await storage.runs.get(bot.id, ownRun))?.status).toBe("running");
      peer.close();
      restarted.close();
    });

    // Search, filters (jsonb containment), thresholds, isolation, replace and delete: the contract
    // every VectorStore passes, the in-memory test double included.
    vectorStoreContract("PgVectorStore", async () => ({
      store: storage.vectors,
      newBot: async () => (await newBot("vectors")).id,
    }));

    it("counts and lists a bot's stored chunks with their embeddings, per document in chunk order", async () => {
      const bot = await newBot();
      const other = await newBot();
      const chunks = Array.from({ length: 6 }, (_, i) => ({
        documentId: i < 3 ? "doc-a" : "doc-b",
        chunkIndex: i % 3,
        content: `chunk ${i}`,
        metadata: { lang: i % 2 === 0 ? "en" : "de", n: i },
        embedding: vec(i),
      }));
      await storage.vectors.upsert(bot.id, [...chunks].reverse());
      await storage.vectors.upsert(other.id, [
        { documentId: "doc-b", chunkIndex: 0, content: "other", metadata: {}, embedding: vec(0) },
      ]);
      expect(await storage.vectors.countChunks(bot.id)).toBe(6);
      const stored = await storage.vectors.listChunks(bot.id, "doc-b");
      expect(stored).toEqual(chunks.slice(3));
      expect((await storage.vectors.listChunks(other.id, "doc-b")).map((c) => c.content)).toEqual(["other"]);
      expect(await storage.vectors.listChunks(other.id, "doc-a")).toEqual([]);
      expect(await storage.vectors.deleteDocument(bot.id, "doc-b")).toBe(3);
      expect(await storage.vectors.countChunks(bot.id)).toBe(3);
      expect(await storage.vectors.countChunks(other.id)).toBe(1);
    });

    it("refuses chunks, documents and API keys for a bot that does not exist (NotFoundError)", async () => {
      const chunk = { documentId: "d", chunkIndex: 0, content: "x", metadata: {}, embedding: vec(0) };
      await expect(storage.vectors.upsert(randomUUID(), [chunk])).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        storage.documents.create(randomUUID(), { filename: "f", mimeType: "text/plain", sha256: "0", bytes: 1 }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(storage.apiKeys.create({ name: "k", botId: randomUUID() })).rejects.toBeInstanceOf(NotFoundError);
    });

    it("loads thousands of chunks in one upsert and finds the first, a middle and the last one exactly", async () => {
      const bot = await newBot();
      let seed = 42;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648;
      };
      const rows = Array.from({ length: 2_500 }, (_, i) => ({
        documentId: `d${i % 7}`,
        chunkIndex: i,
        content: `c${i} ünïcödé ✓`,
        metadata: { i },
        embedding: Array.from({ length: SUITE_DIMENSIONS }, () => random() - 0.5),
      }));
      await storage.vectors.upsert(bot.id, rows);
      expect(await storage.vectors.countChunks(bot.id)).toBe(2_500);
      for (const i of [0, 1234, 2499]) {
        const [top] = await storage.vectors.search(bot.id, rows[i]!.embedding, { topK: 1 });
        expect(top).toMatchObject({ content: `c${i} ünïcödé ✓`, metadata: { i } });
        expect(top?.score).toBeCloseTo(1, 5);
      }
    });

    it("per-bot HNSW index can be switched on and off", async () => {
      const bot = await newBot();
      await storage.vectors.upsert(
        bot.id,
        Array.from({ length: 50 }, (_, i) => ({
          documentId: "d",
          chunkIndex: i,
          content: `c${i}`,
          metadata: {},
          embedding: Array.from({ length: SUITE_DIMENSIONS }, (_, k) => Math.cos(i * 3.7 + k)),
        })),
      );
      const indexDefs = async () =>
        (
          await sql<{ indexname: string; indexdef: string }>`
            SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'document_embeddings'`.execute(
            storage.database.db,
          )
        ).rows;
      const name = await storage.vectors.createBotHnswIndex(bot.id);
      expect(name).toMatch(/^document_embeddings_hnsw_[0-9a-f]{16}$/);
      await storage.vectors.createBotHnswIndex(bot.id); // idempotent
      const created = (await indexDefs()).filter((i) => i.indexname === name);
      expect(created).toHaveLength(1);
      expect(created[0]?.indexdef).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
      expect(created[0]?.indexdef).toContain(bot.id);
      const hits = await storage.vectors.search(bot.id, vec(0), { topK: 5 });
      expect(hits).toHaveLength(5);
      await storage.vectors.dropBotHnswIndex(bot.id);
      expect((await indexDefs()).map((i) => i.indexname)).not.toContain(name);
      expect(await storage.vectors.search(bot.id, vec(0), { topK: 5 })).toHaveLength(5);
    });

    /** The bot's HNSW index as the catalog has it (absent: undefined). */
    const hnswIndex = async (botId: string) =>
      (
        await sql<{ oid: number; valid: boolean }>`
          SELECT c.oid::int AS oid, i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
          WHERE c.relname = ${botHnswIndexName(botId)}`.execute(storage.database.db)
      ).rows[0];

    /** Chunks in two far-apart clusters along the first axis, tagged `near` / `far`. */
    const twoSides = (count: number, seed: number) => {
      let state = seed;
      const random = () => {
        state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
        return state / 2_147_483_648;
      };
      const point = (offset: number) =>
        Array.from({ length: SUITE_DIMENSIONS }, (_, k) => (k === 0 ? offset : 0) + random() * 2 - 1);
      return {
        chunks: Array.from({ length: count }, (_, i) => ({
          documentId: "d",
          chunkIndex: i,
          content: `c${i}`,
          metadata: { side: i % 2 === 0 ? "near" : "far" },
          embedding: point(i % 2 === 0 ? 4 : -4),
        })),
        nearQuery: () => point(4),
      };
    };

    it("a bot's HNSW index still returns the exact top-5 when a metadata filter keeps only chunks far from the query", async () => {
      const bot = await newBot();
      const { chunks, nearQuery } = twoSides(3_000, 7);
      await storage.vectors.upsert(bot.id, chunks);
      const queries = Array.from({ length: 10 }, nearQuery);
      const filter = { side: "far" };
      const exact = [];
      for (const q of queries) exact.push(await storage.vectors.search(bot.id, q, { topK: 5, filter }));
      await storage.vectors.createBotHnswIndex(bot.id);
      // with statistics the planner walks the index for a filter keeping half the rows; plain
      // HNSW (40 nearest, all "near") then returned nothing
      await sql`ANALYZE document_embeddings`.execute(storage.database.db);
      // a wide candidate set, so the test is about the filter (iterative scan) and not about how
      // close an approximate index comes (with the default's 50 candidates it failed once on PGlite)
      const store = new PgVectorStore(storage.database, { hnsw: { efSearch: 200, candidateFactor: 20 } });
      for (const [i, q] of queries.entries()) {
        const found = await store.search(bot.id, q, { topK: 5, filter });
        expect(found.map((f) => f.chunkIndex)).toEqual(exact[i]!.map((f) => f.chunkIndex));
        expect(exact[i]).toHaveLength(5);
      }
    });

    it("a bot reaching minChunks gets its HNSW index built concurrently on PostgreSQL; on PGlite searches stay exact", async () => {
      const bot = await newBot();
      const store = new PgVectorStore(storage.database, { hnsw: { minChunks: 300 } });
      const { chunks, nearQuery } = twoSides(350, 11);
      await store.upsert(bot.id, chunks.slice(0, 200));
      await store.indexBuilds();
      expect(await hnswIndex(bot.id)).toBeUndefined();
      await store.upsert(bot.id, chunks.slice(200));
      await store.indexBuilds();
      const postgres = storage.database.dialect === "postgres";
      expect(store.buildsIndexesAutomatically).toBe(postgres);
      if (postgres) expect(await hnswIndex(bot.id)).toMatchObject({ valid: true });
      else expect(await hnswIndex(bot.id)).toBeUndefined();
      const q = nearQuery();
      const found = await store.search(bot.id, q, { topK: 5 });
      expect(found).toHaveLength(5);
      expect(found.every((f) => f.metadata.side === "near")).toBe(true);
    });

    it("on PostgreSQL a large load into an indexed bot rebuilds its index, and the new chunks are found", async () => {
      if (storage.database.dialect !== "postgres") return; // PGlite: the index is kept as it is
      const bot = await newBot();
      const store = new PgVectorStore(storage.database, { hnsw: { minChunks: 0, bulkLoadRows: 100 } });
      const { chunks } = twoSides(400, 13);
      await store.upsert(bot.id, chunks.slice(0, 250));
      await store.createBotHnswIndex(bot.id);
      const before = await hnswIndex(bot.id);
      await store.upsert(bot.id, chunks.slice(250, 300)); // below bulkLoadRows: into the graph
      expect(await hnswIndex(bot.id)).toEqual(before);
      await store.upsert(bot.id, chunks.slice(300));
      await store.indexBuilds();
      const after = await hnswIndex(bot.id);
      expect(after).toMatchObject({ valid: true });
      expect(after?.oid).not.toBe(before?.oid);
      for (const i of [260, 399]) {
        const [top] = await store.search(bot.id, chunks[i]!.embedding, { topK: 1 });
        expect(top?.chunkIndex).toBe(i);
      }
    });

    it("on PostgreSQL the query vector goes as pgvector's binary form and reads back as the same vector", async () => {
      if (storage.database.dialect !== "postgres") return; // PGlite takes text parameters only
      const { rows } = await sql<{ v: string }>`SELECT ${binaryVector([1, 2.5, -3, 0.1])}::vector::text AS v`.execute(
        storage.database.db,
      );
      expect(rows[0]?.v).toBe("[1,2.5,-3,0.1]");
    });

    it("document rows: create, find by hash, update, list and delete with their chunks", async () => {
      const bot = await newBot();
      const doc = await storage.documents.create(bot.id, {
        filename: "a.pdf",
        mimeType: "application/pdf",
        sha256: "ab".repeat(32),
        bytes: 12_345,
      });
      expect(doc).toMatchObject({ status: "pending", chunkCount: 0, bytes: 12_345 });
      await storage.vectors.upsert(bot.id, [
        { documentId: doc.id, chunkIndex: 0, content: "x", metadata: {}, embedding: vec(1) },
        { documentId: doc.id, chunkIndex: 1, content: "y", metadata: {}, embedding: vec(2) },
      ]);
      const ready = await storage.documents.update(bot.id, doc.id, { status: "ready", chunkCount: 2 });
      expect(ready).toMatchObject({ status: "ready", chunkCount: 2 });
      expect((await storage.documents.findBySha256(bot.id, "ab".repeat(32)))?.id).toBe(doc.id);
      // one document per bot and content: a racing second upload is refused, not stored twice
      await expect(
        storage.documents.create(bot.id, {
          filename: "copy.pdf",
          mimeType: "application/pdf",
          sha256: "ab".repeat(32),
          bytes: 1,
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await storage.documents.list(bot.id)).items.map((d) => d.id)).toEqual([doc.id]);
      expect(await storage.documents.delete(bot.id, doc.id)).toBe(true);
      expect(await storage.vectors.countChunks(bot.id)).toBe(0);
      expect(await storage.documents.get(bot.id, doc.id)).toBeUndefined();
    });

    it("pages a bot's documents newest first by cursor, as runs page: every document once, then null", async () => {
      const bot = await newBot();
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        const doc = await storage.documents.create(bot.id, {
          filename: `d${i}.txt`,
          mimeType: "text/plain",
          sha256: String(i).repeat(64),
          bytes: 1,
        });
        created.push(doc.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await storage.documents.list(bot.id, { limit: 2, ...(cursor !== undefined && { cursor }) });
        expect(page.total).toBe(5);
        seen.push(...page.items.map((d) => d.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(5);
      expect(new Set(seen)).toEqual(new Set(created));
      // newest first, ids breaking ties: PGlite's clock can give documents created in one
      // millisecond the same timestamp, so the order is the database's, not the creation order
      const { rows: newestFirst } = await sql<{ id: string }>`
        SELECT id FROM documents WHERE bot_id = ${bot.id} ORDER BY created_at DESC, id DESC`.execute(
        storage.database.db,
      );
      expect(seen).toEqual(newestFirst.map((r) => r.id));
      await expect(storage.documents.list(bot.id, { cursor: "not-a-cursor" })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it("isolates bots: one bot never sees another's versions, runs, documents or chunks", async () => {
      const a = await newBot("a");
      const b = await newBot("b");
      await storage.workflowVersions.saveDraft(a.id, graph("a"));
      const version = await storage.workflowVersions.publish(a.id);
      const runId = await recordRun(a.id, { versionId: version.id });
      const doc = await storage.documents.create(a.id, {
        filename: "f",
        mimeType: "text/plain",
        sha256: "00",
        bytes: 1,
      });
      await storage.vectors.upsert(a.id, [
        { documentId: doc.id, chunkIndex: 0, content: "secret", metadata: {}, embedding: vec(3) },
      ]);

      expect(await storage.workflowVersions.get(b.id, version.id)).toBeUndefined();
      expect(await storage.workflowVersions.get(b.id, 1)).toBeUndefined();
      expect(await storage.workflowVersions.getDraft(b.id)).toBeUndefined();
      expect((await storage.workflowVersions.list(b.id)).total).toBe(0);
      await expect(storage.workflowVersions.restore(b.id, version.id)).rejects.toBeInstanceOf(NotFoundError);
      await expect(storage.workflowVersions.publish(b.id)).rejects.toBeInstanceOf(NotFoundError);
      expect(await storage.runs.get(b.id, runId)).toBeUndefined();
      expect((await storage.runs.list(b.id)).items).toEqual([]);
      expect((await storage.statistics.forWindow(b.id, { window: "90d" })).totalRuns).toBe(0);
      expect(await storage.documents.get(b.id, doc.id)).toBeUndefined();
      expect(await storage.documents.delete(b.id, doc.id)).toBe(false);
      expect(await storage.vectors.search(b.id, vec(3), { topK: 10 })).toEqual([]);
      expect(await storage.vectors.deleteDocument(b.id, doc.id)).toBe(0);
      expect((await storage.vectors.search(a.id, vec(3), { topK: 10 })).map((h) => h.content)).toEqual(["secret"]);

      // Deleting a bot removes everything it owned.
      await storage.bots.delete(a.id);
      expect(await storage.runs.get(a.id, runId)).toBeUndefined();
      expect(await storage.vectors.countChunks(a.id)).toBe(0);
    });

    it("API keys: shown once, verified by hash, scoped to a bot or admin, revocable", async () => {
      const bot = await newBot();
      const admin = await storage.apiKeys.create({ name: "admin" });
      const scoped = await storage.apiKeys.create({ name: "bot key", botId: bot.id });
      expect(admin.plaintext).toMatch(/^pf_[A-Za-z0-9_-]{43}$/);
      expect(admin.key).toMatchObject({
        name: "admin",
        botId: null,
        scope: "admin",
        source: "created",
        prefix: admin.plaintext.slice(0, 10),
      });
      const stored = await storage.database.db
        .selectFrom("api_keys")
        .select("key_hash")
        .where("id", "=", admin.key.id)
        .executeTakeFirstOrThrow();
      expect(stored.key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(stored.key_hash).not.toContain(admin.plaintext);

      const verified = await storage.apiKeys.verify(scoped.plaintext);
      expect(verified).toMatchObject({ id: scoped.key.id, botId: bot.id });
      expect(verified?.lastUsedAt).toBeInstanceOf(Date);
      // the key's bot comes with it, exactly as bots.get reads it; an admin key has none
      expect(verified?.bot).toEqual(await storage.bots.get(bot.id));
      expect((await storage.apiKeys.verify(admin.plaintext))?.bot).toBeNull();
      expect(await storage.apiKeys.verify(`${scoped.plaintext}x`)).toBeUndefined();
      expect(await storage.apiKeys.verify("nonsense")).toBeUndefined();
      expect((await storage.apiKeys.list(bot.id)).map((k) => k.id)).toEqual([scoped.key.id]);
      expect((await storage.apiKeys.list(null)).map((k) => k.id)).toContain(admin.key.id);
      expect(await storage.apiKeys.revoke(scoped.key.id)).toBe(true);
      expect(await storage.apiKeys.revoke(scoped.key.id)).toBe(false);
      expect(await storage.apiKeys.verify(scoped.plaintext)).toBeUndefined();
      expect((await storage.apiKeys.verify(admin.plaintext))?.id).toBe(admin.key.id);
    });

    it("API keys: a chosen key is adopted once, hashed, and verifies like any other", async () => {
      const chosen = `pf_chosen_${randomUUID().replaceAll("-", "")}`;
      const first = await storage.apiKeys.adopt(chosen, { name: "PORTFLOW_ADMIN_KEY" });
      const again = await storage.apiKeys.adopt(chosen, { name: "PORTFLOW_ADMIN_KEY" });
      expect(again.key.id).toBe(first.key.id);
      expect(again.replaced).toEqual([]);
      expect(first.key).toMatchObject({ botId: null, scope: "admin", source: "env", prefix: chosen.slice(0, 10) });
      expect((await storage.apiKeys.verify(chosen))?.id).toBe(first.key.id);
      const rows = await storage.database.db
        .selectFrom("api_keys")
        .select("key_hash")
        .where("id", "=", first.key.id)
        .execute();
      expect(rows).toEqual([{ key_hash: hashApiKey(chosen) }]);
      await expect(storage.apiKeys.adopt("pf_short", { name: "x" })).rejects.toThrow(RangeError);
    });

    it("API keys: adopting a new environment key revokes the previous one, never a created key", async () => {
      const bot = await newBot();
      const old = `pf_old_env_${randomUUID().replaceAll("-", "")}`;
      const rotated = `pf_new_env_${randomUUID().replaceAll("-", "")}`;
      const first = await storage.apiKeys.adopt(old, { name: "PORTFLOW_ADMIN_KEY" });
      const cliAdmin = await storage.apiKeys.create({ name: "cli admin" });
      const cliBot = await storage.apiKeys.create({ name: "cli bot", botId: bot.id });
      expect(cliAdmin.key.source).toBe("created");

      const second = await storage.apiKeys.adopt(rotated, { name: "PORTFLOW_ADMIN_KEY" });
      expect(second.replaced.map((k) => k.id)).toContain(first.key.id);
      expect(second.replaced.every((k) => k.source === "env" && k.revokedAt instanceof Date)).toBe(true);
      expect(await storage.apiKeys.verify(old)).toBeUndefined();
      expect((await storage.apiKeys.verify(rotated))?.id).toBe(second.key.id);
      expect((await storage.apiKeys.verify(cliAdmin.plaintext))?.id).toBe(cliAdmin.key.id);
      expect((await storage.apiKeys.verify(cliBot.plaintext))?.id).toBe(cliBot.key.id);

      // Going back to the old secret does not revive it: a retired key stays retired.
      const back = await storage.apiKeys.adopt(old, { name: "PORTFLOW_ADMIN_KEY" });
      expect(back.key.id).toBe(first.key.id);
      expect(back.key.revokedAt).toBeInstanceOf(Date);
      expect(await storage.apiKeys.verify(old)).toBeUndefined();
    });

    it("API keys: a scope per key; bot and chat keys need a bot, admin keys refuse one", async () => {
      const bot = await newBot();
      const chat = await storage.apiKeys.create({ name: "widget", botId: bot.id, scope: "chat" });
      const full = await storage.apiKeys.create({ name: "bot", botId: bot.id });
      const admin = await storage.apiKeys.create({ name: "admin" });
      expect([chat.key.scope, full.key.scope, admin.key.scope]).toEqual(["chat", "bot", "admin"]);
      expect(await storage.apiKeys.verify(chat.plaintext)).toMatchObject({ scope: "chat", botId: bot.id });
      // Keys made in the same millisecond list by id: compare as a set.
      const byId = (a: string[], b: string[]) => (a[0]! < b[0]! ? -1 : 1);
      expect((await storage.apiKeys.list(bot.id)).map((k) => [k.id, k.scope]).sort(byId)).toEqual(
        [
          [chat.key.id, "chat"],
          [full.key.id, "bot"],
        ].sort(byId),
      );
      await expect(storage.apiKeys.create({ name: "x", scope: "chat" })).rejects.toThrow("a chat key needs a bot");
      await expect(storage.apiKeys.create({ name: "x", scope: "admin", botId: bot.id })).rejects.toThrow(
        "an admin key cannot have a bot",
      );
      // the database refuses it too, whoever writes the row
      await expect(
        storage.database.db
          .insertInto("api_keys")
          .values({ key_hash: randomUUID(), prefix: "pf_x", name: "bad", bot_id: null, scope: "chat" })
          .execute(),
      ).rejects.toThrow(/api_keys_scope_check/);
    });

    it("migration 0009 backfills the keyword index of chunks stored before it, and 0008 keeps chunk rows inline", async () => {
      const database = await backend!.openEmpty();
      try {
        const db = database.db as Kysely<unknown>;
        const migrator = storageMigrator(db, SUITE_DIMENSIONS);
        expect((await migrator.migrateTo("0007_bot_secrets")).error).toBeUndefined();
        const vector = `[${Array.from({ length: SUITE_DIMENSIONS }, (_, i) => (i === 0 ? 1 : 0)).join(",")}]`;
        await sql`INSERT INTO bots (id, name) VALUES ('b1', 'old bot'), ('b2', 'other bot')`.execute(db);
        await sql`
          INSERT INTO document_embeddings (bot_id, document_id, chunk_index, content, metadata, embedding) VALUES
            ('b1', 'd', 0, '환불은 5영업일 이내에 처리됩니다.', '{}', ${vector}::vector),
            ('b1', 'd', 1, 'Deployments happen on weekdays.', '{}', ${vector}::vector),
            ('b2', 'd', 0, '환불 규정은 다른 봇의 것입니다.', '{}', ${vector}::vector)`.execute(db);
        await migrateToLatest(db, { embeddingDimensions: SUITE_DIMENSIONS });
        const store = new PgVectorStore(database);
        expect((await store.keywordSearch("b1", "환불 기간", { topK: 5 })).map((h) => h.content)).toEqual([
          "환불은 5영업일 이내에 처리됩니다.",
        ]);
        expect((await store.keywordSearch("b1", "deployment", { topK: 5 })).map((h) => h.chunkIndex)).toEqual([1]);
        expect((await store.keywordSearch("b2", "환불", { topK: 5 })).map((h) => h.content)).toEqual([
          "환불 규정은 다른 봇의 것입니다.",
        ]);
        const { rows } = await sql<{ options: string[] }>`
          SELECT reloptions AS options FROM pg_class WHERE relname = 'document_embeddings'`.execute(db);
        expect(rows[0]?.options).toContain("toast_tuple_target=8160");
      } finally {
        await database.close();
      }
    });

    it("migration 0013 stores keyword rows uncompressed (they were pglz-compressed before it) and search still finds them", async () => {
      const database = await backend!.openEmpty();
      try {
        const db = database.db as Kysely<unknown>;
        const migrator = storageMigrator(db, SUITE_DIMENSIONS);
        expect((await migrator.migrateTo("0010_run_specs")).error).toBeUndefined();
        await sql`INSERT INTO bots (id, name) VALUES ('b1', 'bot')`.execute(db);
        // a long Korean chunk: its tsvector of bigrams is well over the 2 kB TOAST threshold
        const syllables = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호";
        const words = Array.from(
          { length: 400 },
          (_, i) => `${syllables[i % 41]}${syllables[(i * 7) % 41]}${syllables[(i * 13) % 41]}`,
        );
        const content = (suffix: string) => `${words.join(" ")} ${suffix}`;
        const store = new PgVectorStore(database);
        const chunk = (i: number, text: string) => ({
          documentId: "d",
          chunkIndex: i,
          content: text,
          metadata: {},
          embedding: Array.from({ length: SUITE_DIMENSIONS }, (_, j) => (j === 0 ? 1 : 0)),
        });
        await upsertWithoutPostings(database, "b1", [chunk(0, content("환불규정"))]);
        await migrateToLatest(db, { embeddingDimensions: SUITE_DIMENSIONS });
        await store.upsert("b1", [chunk(1, content("배포절차"))]);
        const { rows } = await sql<{ chunk_index: number; compression: string | null; bytes: number }>`
          SELECT chunk_index, pg_column_compression(keywords) AS compression, octet_length(keywords::text) AS bytes
          FROM chunk_keywords WHERE bot_id = 'b1' ORDER BY chunk_index`.execute(db);
        expect(rows.map((r) => [r.chunk_index, r.compression])).toEqual([
          [0, "pglz"],
          [1, null],
        ]);
        expect(rows[1]!.bytes).toBeGreaterThan(2_048);
        expect((await store.keywordSearch("b1", "배포 절차", { topK: 5 })).map((h) => h.chunkIndex)).toEqual([1]);
      } finally {
        await database.close();
      }
    });

    it("migration 0004 gives existing keys the scope they had and marks the adopted admin key", async () => {
      const database = await backend!.openEmpty();
      try {
        const db = database.db as Kysely<unknown>;
        const migrator = storageMigrator(db, SUITE_DIMENSIONS);
        expect((await migrator.migrateTo("0003_unique_document_content")).error).toBeUndefined();
        await sql`INSERT INTO bots (id, name) VALUES ('b1', 'old bot')`.execute(db);
        await sql`
          INSERT INTO api_keys (id, key_hash, prefix, name, bot_id) VALUES
            ('k-env', 'h1', 'pf_a', 'PORTFLOW_ADMIN_KEY', NULL),
            ('k-admin', 'h2', 'pf_b', 'cli admin key', NULL),
            ('k-bot', 'h3', 'pf_c', 'cli key for bot b1', 'b1')`.execute(db);
        await migrateToLatest(db, { embeddingDimensions: SUITE_DIMENSIONS });
        const { rows } = await sql<{ id: string; scope: string; source: string }>`
          SELECT id, scope, source FROM api_keys ORDER BY id`.execute(db);
        expect(rows).toEqual([
          { id: "k-admin", scope: "admin", source: "created" },
          { id: "k-bot", scope: "bot", source: "created" },
          { id: "k-env", scope: "admin", source: "env" },
        ]);
      } finally {
        await database.close();
      }
    });
  });
}
