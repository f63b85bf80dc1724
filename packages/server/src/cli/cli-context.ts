/**
 * What CLI commands work with, opened from the server configuration the same way `startServer`
 * opens it: providers, the database (PGlite under `PORTFLOW_DATA_DIR`, or `DATABASE_URL`), the node
 * registry, storage with registry validation, the run services, and the server's `WorkflowRunner`.
 * @module
 */
import {
  type NodeRegistryV2,
  ServiceContainer,
  Services,
  validateWorkflow,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { createNodeRegistry, createProviders, type ProviderConfig, type Providers } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import type { ServerConfig } from "../config.ts";
import { RunTracker } from "../run-tracker.ts";
import { WorkflowRunner } from "../workflow-runner.ts";
import { isDiskDataDir, lockDataDir } from "./data-dir-lock.ts";

export interface CliContext {
  readonly config: ServerConfig;
  readonly providers: Providers;
  readonly registry: NodeRegistryV2;
  readonly storage: Storage;
  readonly runner: WorkflowRunner;
  /** Closes the database and releases provider connections. */
  close(): Promise<void>;
}

/** The provider selection of a server configuration (as `startServer` makes it). */
export function providerConfigOf(config: ServerConfig): ProviderConfig {
  return {
    provider: config.llm.provider,
    ...(config.llm.awsRegion !== undefined && { region: config.llm.awsRegion }),
    ...(config.llm.bedrockEndpoint !== undefined && { endpoint: config.llm.bedrockEndpoint }),
    model: config.llm.bedrockModel,
    embeddingModel: config.llm.bedrockEmbeddingModel,
  };
}

/** Opens (and migrates) the configured database and wires storage, registry, providers and runner. */
export async function openCliContext(config: ServerConfig): Promise<CliContext> {
  const lock =
    config.databaseUrl === undefined && isDiskDataDir(config.dataDir) ? lockDataDir(config.dataDir) : undefined;
  const providers = createProviders(providerConfigOf(config));
  let storage: Storage;
  const registry = createNodeRegistry();
  try {
    const database = await openDatabase({
      ...(config.databaseUrl !== undefined && { databaseUrl: config.databaseUrl }),
      dataDir: config.dataDir,
      embeddingDimensions: providers.embedder.dimensions,
      maxConnections: 4,
    });
    storage = createStorage(database, { validate: (json: unknown) => validateWorkflow(json, registry) });
  } catch (error) {
    providers.close();
    lock?.release();
    throw error;
  }
  const services = new ServiceContainer()
    .register(Services.ChatModel, providers.chatModel)
    .register(Services.Embedder, providers.embedder)
    .register(Services.VectorStore, storage.vectors)
    .register(Services.RunRecorder, storage.recorder);
  const runner = new WorkflowRunner(new WorkflowExecutorV2(registry, { services }), new RunTracker());
  return {
    config,
    providers,
    registry,
    storage,
    runner,
    async close() {
      providers.close();
      try {
        await storage.close();
      } finally {
        lock?.release();
      }
    },
  };
}
