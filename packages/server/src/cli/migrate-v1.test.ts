import { validateWorkflow } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, NotFoundError, openDatabase, type Storage } from "@portflow/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RAG_WORKFLOW_V1, RAG_WORKFLOW_V2 } from "../testing/workflows.ts";
import { type MigrationReportRow, migrateV1Workflows } from "./migrate-v1.ts";

const registry = createNodeRegistry();
let storage: Storage;
const ids: Record<"plain" | "unknown" | "none" | "switched" | "edited", string> = {
  plain: "",
  unknown: "",
  none: "",
  switched: "",
  edited: "",
};

const byBot = (rows: readonly MigrationReportRow[]) => new Map(rows.map((row) => [row.botId, row]));

beforeAll(async () => {
  const database = await openDatabase({ dataDir: "memory://", embeddingDimensions: 8 });
  storage = createStorage(database, { validate: (json) => validateWorkflow(json, registry) });
  const v1 = (name: string, legacyWorkflow: unknown, useWorkflowV2 = false) =>
    storage.bots.create({ name, legacyWorkflow, useWorkflowV2 });
  ids.plain = (await v1("plain", RAG_WORKFLOW_V1)).id;
  const unknownType = {
    ...RAG_WORKFLOW_V1,
    nodes: RAG_WORKFLOW_V1.nodes.map((n) => (n.id === "n3" ? { ...n, type: "code" } : n)),
  };
  ids.unknown = (await v1("unknown", unknownType)).id;
  ids.none = (await storage.bots.create({ name: "v2 only" })).id;
  ids.switched = (await v1("switched", RAG_WORKFLOW_V1, true)).id;
  await storage.workflowVersions.saveDraft(ids.switched, RAG_WORKFLOW_V2);
  await storage.workflowVersions.publish(ids.switched);
  ids.edited = (await v1("edited", RAG_WORKFLOW_V1)).id;
  await storage.workflowVersions.saveDraft(ids.edited, RAG_WORKFLOW_V2);
});

afterAll(async () => {
  await storage?.close();
});

describe("migrateV1Workflows", () => {
  it("dry run: reports every V1 bot and writes nothing", async () => {
    const rows = byBot(await migrateV1Workflows(storage, registry, { dryRun: true }));
    expect(rows.size).toBe(4);
    expect(rows.has(ids.none)).toBe(false);
    expect(rows.get(ids.plain)).toMatchObject({ action: "would-migrate", nodes: 4, problems: [] });
    expect(rows.get(ids.unknown)).toMatchObject({ action: "failed" });
    expect(rows.get(ids.unknown)?.problems[0]).toMatchObject({ path: "nodes[2].type" });
    expect(rows.get(ids.unknown)?.problems[0]?.message).toContain('"code"');
    expect(rows.get(ids.switched)).toMatchObject({ action: "skipped" });
    expect(rows.get(ids.edited)).toMatchObject({ action: "failed", draftRevision: 1 });
    expect(await storage.workflowVersions.getDraft(ids.plain)).toBeUndefined();
  });

  it("--limit bounds how many V1 bots are looked at", async () => {
    expect(await migrateV1Workflows(storage, registry, { dryRun: true, limit: 2 })).toHaveLength(2);
  });

  it("saves drafts, leaves someone's different draft alone, and is idempotent", async () => {
    const first = byBot(await migrateV1Workflows(storage, registry));
    expect(first.get(ids.plain)).toMatchObject({ action: "migrated", draftRevision: 1 });
    expect(first.get(ids.edited)?.action).toBe("failed");
    const draft = await storage.workflowVersions.getDraft(ids.plain);
    expect(draft).toMatchObject({ schemaVersion: 2, valid: true, revision: 1 });
    expect(draft?.graph).toEqual(first.get(ids.plain)?.graph);
    const bot = await storage.bots.get(ids.plain);
    expect(bot).toMatchObject({ useWorkflowV2: false, publishedVersionId: null, legacyWorkflow: RAG_WORKFLOW_V1 });
    expect((await storage.workflowVersions.getDraft(ids.edited))?.graph).toEqual(RAG_WORKFLOW_V2);

    const again = byBot(await migrateV1Workflows(storage, registry, { botId: ids.plain }));
    expect(again.get(ids.plain)).toMatchObject({ action: "unchanged", draftRevision: 1 });
  });

  it("replaces a different draft only when asked", async () => {
    const rows = await migrateV1Workflows(storage, registry, { botId: ids.edited, replaceDrafts: true });
    expect(rows[0]).toMatchObject({ action: "migrated", draftRevision: 2 });
    const bot = await storage.bots.get(ids.edited);
    expect(bot?.legacyWorkflow).toEqual(RAG_WORKFLOW_V1);
  });

  it("refuses a bot that does not hold a V1 workflow", async () => {
    await expect(migrateV1Workflows(storage, registry, { botId: ids.none })).rejects.toThrow(NotFoundError);
    await expect(migrateV1Workflows(storage, registry, { botId: "missing" })).rejects.toThrow(/does not exist/);
  });
});
