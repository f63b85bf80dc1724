/**
 * The demo bot, end to end on the Portflow packages: a bot, its documents ingested, a V2 workflow
 * pushed as a draft and published, questions answered (streamed), and each run read back from
 * the execution history. `main.ts` prints it; `rag-bot.test.ts` checks it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RunResult, ServiceContainer, Services, validateWorkflow, WorkflowExecutorV2 } from "@portflow/engine";
import {
  createNodeRegistry,
  createProviders,
  type ModelProvider,
  type ProviderConfig,
  type RetrievedDocument,
} from "@portflow/nodes";
import { type IngestResult, ingestDocument } from "@portflow/nodes/ingest";
import { createStorage, openDatabase, type RunWithNodes, type Storage } from "@portflow/storage";

export const EXAMPLE_DIR = import.meta.dirname;
const BOT_NAME = "Northwind support (demo)";

export interface DemoOptions {
  readonly providers: ProviderConfig;
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** Called with each streamed text delta of an answer. */
  readonly onText?: (delta: string) => void;
}

export interface DemoAnswer {
  readonly question: string;
  readonly result: RunResult;
  readonly recorded: RunWithNodes;
}

export interface DemoBot {
  readonly provider: ModelProvider;
  readonly botId: string;
  readonly ingested: readonly { readonly filename: string; readonly result: IngestResult }[];
  readonly versionNumber: number;
  ask(question: string): Promise<DemoAnswer>;
  close(): Promise<void>;
}

/** Opens the database, reuses (or creates) the demo bot, ingests its documents and publishes its workflow. */
export async function setUpDemoBot(options: DemoOptions): Promise<DemoBot> {
  const registry = createNodeRegistry();
  const providers = createProviders(options.providers);
  const database = await openDatabase({
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    dataDir: options.dataDir,
    embeddingDimensions: providers.embedder.dimensions,
  });
  const storage: Storage = createStorage(database, { validate: (json) => validateWorkflow(json, registry) });
  try {
    const existing = (await storage.bots.list({ limit: 500 })).items.find((b) => b.name === BOT_NAME);
    const bot = existing ?? (await storage.bots.create({ name: BOT_NAME, status: "active", useWorkflowV2: true }));

    const documentsDir = join(EXAMPLE_DIR, "documents");
    const ingested = [];
    for (const filename of readdirSync(documentsDir).sort()) {
      const bytes = readFileSync(join(documentsDir, filename));
      const result = await ingestDocument({
        botId: bot.id,
        file: { filename, bytes },
        embedder: providers.embedder,
        store: storage.vectors,
        documents: storage.documents,
      });
      ingested.push({ filename, result });
    }

    const workflow = JSON.parse(readFileSync(join(EXAMPLE_DIR, "workflow.json"), "utf8")) as unknown;
    const draft = await storage.workflowVersions.getDraft(bot.id);
    await storage.workflowVersions.saveDraft(bot.id, workflow, { expectedRevision: draft?.revision ?? 0 });
    const version = await storage.workflowVersions.publish(bot.id, { notes: "published by the demo" });

    const services = new ServiceContainer()
      .register(Services.Embedder, providers.embedder)
      .register(Services.ChatModel, providers.chatModel)
      .register(Services.VectorStore, storage.vectors)
      .register(Services.RunRecorder, storage.recorder);
    const executor = new WorkflowExecutorV2(registry, { services });
    const compiled = executor.compile(version.graph);

    return {
      provider: providers.provider,
      botId: bot.id,
      ingested,
      versionNumber: version.versionNumber ?? 0,
      async ask(question) {
        const handle = executor.start(
          compiled,
          { query: question },
          {
            system: { bot_id: bot.id },
            record: { botId: bot.id, workflowVersionId: version.id, trigger: "api" },
          },
        );
        if (options.onText) {
          const onText = options.onText;
          handle.on("node.chunk", (event) => onText(event.chunk));
        }
        const result = await handle.result;
        const recorded = await storage.runs.get(bot.id, result.runId);
        if (!recorded) throw new Error(`run ${result.runId} was not recorded`);
        return { question, result, recorded };
      },
      async close() {
        providers.close();
        await storage.close();
      },
    };
  } catch (error) {
    providers.close();
    await storage.close();
    throw error;
  }
}

/** The sources of an answer, as the end node returned them. */
export function sourcesOf(result: RunResult): RetrievedDocument[] {
  const sources = result.outputs.sources;
  return Array.isArray(sources) ? (sources as RetrievedDocument[]) : [];
}
