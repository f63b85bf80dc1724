/**
 * Engine + nodes + storage together, the way the server composes them: documents ingested into
 * PGlite, a published V2 workflow answering from them on local providers, the run recorded, and
 * the same bot's V1 workflow answering the same through the adapter.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  NodeAdapter,
  ServiceContainer,
  Services,
  upgradeV1Workflow,
  validateWorkflow,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { createNodeRegistry, createProviders } from "@portflow/nodes";
import { ingestDocument } from "@portflow/nodes/ingest";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const exampleDir = join(import.meta.dirname, "..", "examples", "rag-bot");
const workflow = JSON.parse(readFileSync(join(exampleDir, "workflow.json"), "utf8")) as unknown;
const v1Workflow = {
  nodes: [
    { id: "n1", type: "start", data: {} },
    { id: "n2", type: "knowledge-retrieval", data: { top_k: 4 } },
    { id: "n3", type: "llm", data: { prompt: "Context:\n{context}\n\nQuestion: {query}", temperature: 0.2 } },
    { id: "n4", type: "end", data: {} },
  ],
  edges: [
    { source: "n1", target: "n2" },
    { source: "n2", target: "n3" },
    { source: "n3", target: "n4" },
  ],
};

describe("RAG pipeline across packages (PGlite, local providers)", () => {
  const registry = createNodeRegistry();
  const providers = createProviders({ provider: "local" });
  let storage: Storage;
  let executor: WorkflowExecutorV2;
  let botId: string;

  beforeAll(async () => {
    const database = await openDatabase({ dataDir: "memory://", embeddingDimensions: providers.embedder.dimensions });
    storage = createStorage(database, { validate: (json) => validateWorkflow(json, registry) });
    const services = new ServiceContainer()
      .register(Services.Embedder, providers.embedder)
      .register(Services.ChatModel, providers.chatModel)
      .register(Services.VectorStore, storage.vectors)
      .register(Services.RunRecorder, storage.recorder);
    executor = new WorkflowExecutorV2(registry, { services });
    botId = (await storage.bots.create({ name: "Northwind", legacyWorkflow: v1Workflow })).id;
    for (const name of ["returns-policy.md", "warranty.md", "shipping.txt"]) {
      const bytes = readFileSync(join(exampleDir, "documents", name));
      await ingestDocument({
        botId,
        file: { filename: name, bytes },
        embedder: providers.embedder,
        store: storage.vectors,
        documents: storage.documents,
      });
    }
  });

  afterAll(async () => {
    await storage?.close();
  });

  it("answers from the right document, with sources, and records every node", async () => {
    await storage.workflowVersions.saveDraft(botId, workflow);
    const version = await storage.workflowVersions.publish(botId);
    const result = await executor.run(
      version.graph,
      { query: "How many days do I have to return a bike?" },
      {
        system: { bot_id: botId },
        record: { botId, workflowVersionId: version.id, trigger: "api" },
      },
    );
    expect(result.status).toBe("succeeded");
    expect(String(result.outputs.answer)).toContain("30 days");
    const sources = result.outputs.sources as { metadata: { filename?: string } }[];
    expect(sources[0]?.metadata.filename).toBe("returns-policy.md");

    const recorded = await storage.runs.get(botId, result.runId);
    expect(recorded?.status).toBe("succeeded");
    expect(recorded?.nodes.map((n) => n.nodeId)).toEqual(["start", "retrieve", "answer", "end"]);
  });

  it("answers the same question through the V1 adapter and after upgrading the V1 workflow", async () => {
    const question = { query: "Is a battery with 50% capacity after one year replaced?" };
    const system = { bot_id: botId };
    const adapted = await new NodeAdapter(executor).run(v1Workflow, question, { system });
    const upgraded = await executor.run(upgradeV1Workflow(v1Workflow), question, { system });
    expect(adapted.status).toBe("succeeded");
    expect(String(adapted.outputs.answer)).toContain("60%");
    expect(upgraded.outputs).toEqual(adapted.outputs);
  });

  it("keeps bots apart: another bot's knowledge node finds nothing", async () => {
    const other = await storage.bots.create({ name: "Empty bot" });
    const result = await executor.run(workflow, { query: "return a bike" }, { system: { bot_id: other.id } });
    expect(result.status).toBe("succeeded");
    expect(result.outputs.sources).toEqual([]);
  });
});
