/**
 * `getVersionGraph`, by the statements it runs: what a run reads to find the graph it runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStorage, type Storage } from "./create-storage.ts";
import { openDatabase } from "./open-database.ts";
import { countStatements, type StatementCounter } from "./testing/count-statements.ts";

let storage: Storage;
let counter: StatementCounter;

const graph = (name: string) => ({ schema_version: 2, name, nodes: [], edges: [] });
const versionReads = () => counter.selectsFrom("bot_workflow_versions");

beforeAll(async () => {
  counter = countStatements(await openDatabase({ dataDir: "memory://", embeddingDimensions: 4 }));
  storage = createStorage(counter.database, { validate: () => ({ ok: true, problems: [] }) });
});
afterAll(async () => {
  await storage?.close();
});

describe("workflowVersions.getVersionGraph", () => {
  it("reads the draft in one statement, each time (a saved change shows at once)", async () => {
    const bot = await storage.bots.create({ name: "draft graph" });
    const draft = await storage.workflowVersions.saveDraft(bot.id, graph("d1"));
    counter.reset();
    expect(await storage.workflowVersions.getVersionGraph(bot.id, draft.id)).toEqual({
      id: draft.id,
      botId: bot.id,
      versionNumber: null,
      schemaVersion: 2,
      graph: graph("d1"),
      checksum: draft.checksum,
    });
    expect(versionReads()).toBe(1);

    const saved = await storage.workflowVersions.saveDraft(bot.id, graph("d2"), { force: true });
    counter.reset();
    const again = await storage.workflowVersions.getVersionGraph(bot.id, draft.id);
    expect({ graph: again?.graph, checksum: again?.checksum }).toEqual({
      graph: graph("d2"),
      checksum: saved.checksum,
    });
    expect(versionReads()).toBe(1);
  });

  it("reads a published version once per process, and never another bot's version or a version number", async () => {
    const bot = await storage.bots.create({ name: "published graph" });
    const other = await storage.bots.create({ name: "other" });
    await storage.workflowVersions.saveDraft(bot.id, graph("p1"));
    const v1 = await storage.workflowVersions.publish(bot.id);
    counter.reset();
    expect((await storage.workflowVersions.getVersionGraph(bot.id, v1.id))?.versionNumber).toBe(1);
    expect(await storage.workflowVersions.getVersionGraph(bot.id, v1.id)).toEqual(
      await storage.workflowVersions.getPublishedGraph(bot.id, v1.id),
    );
    expect(versionReads()).toBe(1);
    expect(await storage.workflowVersions.getVersionGraph(other.id, v1.id)).toBeUndefined();
    expect(await storage.workflowVersions.getVersionGraph(bot.id, "1")).toBeUndefined();
  });
});
