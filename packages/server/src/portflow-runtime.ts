/**
 * The packages below the HTTP layer, opened from a configuration in one place: providers, the
 * database (PGlite under `PORTFLOW_DATA_DIR`, or `DATABASE_URL`), the node registry, storage that
 * validates workflow versions against it, and the services every run resolves. `startServer` and
 * the CLI both start here, so they cannot drift apart.
 * @module
 */
import {
  type Logger,
  type NodeRegistryV2,
  ServiceContainer,
  Services,
  validateWorkflow,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { createNodeRegistry, createProviders, type ProviderConfig, type Providers } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import type { ServerConfig } from "./config.ts";

export interface PortflowRuntime {
  readonly config: ServerConfig;
  readonly providers: Providers;
  readonly registry: NodeRegistryV2;
  readonly storage: Storage;
  /** Chat model, embedder, vector store, run recorder (and logger when given). */
  readonly services: ServiceContainer;
  readonly executor: WorkflowExecutorV2;
  /** Releases provider connections and closes the database. */
  close(): Promise<void>;
}

export interface OpenRuntimeOptions {
  /** Pool size on a real server (default 10). */
  readonly maxConnections?: number;
  readonly logger?: Logger;
  /**
   * Owner of the runs this process records, stable across restarts (the server passes
   * `config.instanceId`; the CLI none, so a server restart never sweeps a CLI run).
   */
  readonly instanceId?: string;
  /** Connection errors the database pool absorbed (a PostgreSQL restart). */
  readonly onDatabaseConnectionError?: (error: Error) => void;
  /** The pool opened a connection (after an outage: the database is back). */
  readonly onDatabaseConnected?: () => void;
}

/** The provider selection a server configuration names. */
export function providerConfigOf(config: ServerConfig): ProviderConfig {
  return {
    provider: config.llm.provider,
    ...(config.llm.awsRegion !== undefined && { region: config.llm.awsRegion }),
    ...(config.llm.bedrockEndpoint !== undefined && { endpoint: config.llm.bedrockEndpoint }),
    model: config.llm.bedrockModel,
    embeddingModel: config.llm.bedrockEmbeddingModel,
  };
}

/** Opens (and migrates) the configured database and wires everything a run needs. */
export async function openRuntime(config: ServerConfig, options: OpenRuntimeOptions = {}): Promise<PortflowRuntime> {
  const providers = createProviders(providerConfigOf(config));
  const registry = createNodeRegistry({
    http: { allow: config.http.allow, maxResponseBytes: config.http.maxResponseBytes },
  });
  let storage: Storage;
  try {
    const database = await openDatabase({
      ...(config.databaseUrl !== undefined && { databaseUrl: config.databaseUrl }),
      dataDir: config.dataDir,
      embeddingDimensions: providers.embedder.dimensions,
      ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      ...(options.onDatabaseConnectionError !== undefined && { onConnectionError: options.onDatabaseConnectionError }),
      ...(options.onDatabaseConnected !== undefined && { onConnected: options.onDatabaseConnected }),
    });
    // Workflow versions are V2; a V1 workflow lives in the bot's legacy_workflow until migrated.
    storage = createStorage(database, {
      validate: (json) => validateWorkflow(json, registry, { allowV1: false }),
      ...(config.secretKey !== undefined && { secretKey: config.secretKey }),
      recorder: {
        leaseMs: config.runLeaseMs,
        ...(options.instanceId !== undefined && { instanceId: options.instanceId }),
      },
    });
  } catch (error) {
    providers.close();
    throw error;
  }
  const services = new ServiceContainer()
    .register(Services.ChatModel, providers.chatModel)
    .register(Services.Embedder, providers.embedder)
    .register(Services.VectorStore, storage.vectors)
    .register(Services.RunRecorder, storage.recorder);
  if (providers.reranker) services.register(Services.Reranker, providers.reranker);
  if (options.logger) services.register(Services.Logger, options.logger);
  return {
    config,
    providers,
    registry,
    storage,
    services,
    executor: new WorkflowExecutorV2(registry, { services }),
    async close() {
      providers.close();
      await storage.close();
    },
  };
}
