/**
 * The packages below the HTTP layer, opened from a configuration in one place: providers, the
 * node registry, storage that validates workflow versions against it (opened by
 * {@link openConfiguredStorage}, as every command that needs only rows opens it), and the services
 * every run resolves. `startServer`, `portflow worker` and the CLI all start here, so they cannot
 * drift apart.
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
import {
  ChatModelCatalogService,
  createNodeRegistry,
  createProviders,
  type NodeRegistryOptions,
  type ProviderConfig,
  type Providers,
  type Sandboxes,
  sharedSandboxes,
} from "@portflow/nodes";
import { type DocumentParser, WorkerDocumentParser } from "@portflow/nodes/ingest";
import type { Storage } from "@portflow/storage";
import type { ServerConfig } from "./config.ts";
import { INGEST_LIMIT_SETTINGS } from "./document-ingestion.ts";
import { openConfiguredStorage } from "./open-configured-storage.ts";

export interface PortflowRuntime {
  readonly config: ServerConfig;
  readonly providers: Providers;
  readonly registry: NodeRegistryV2;
  readonly storage: Storage;
  /** Chat model, embedder, vector store, run recorder (and logger when given). */
  readonly services: ServiceContainer;
  readonly executor: WorkflowExecutorV2;
  /** The sandboxes the registry's `code` and `template-transform` nodes run in (to warm at start). */
  readonly sandboxes: Sandboxes;
  /** Parses documents in memory-capped workers: uploads and `document-extractor` share it. */
  readonly documentParser: DocumentParser;
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
  /** A CLI command that runs briefly: embedded PGlite starts smaller (see `openConfiguredStorage`). */
  readonly shortLived?: boolean;
}

/** The provider selection a server configuration names. */
export function providerConfigOf(config: ServerConfig): ProviderConfig {
  return {
    provider: config.llm.provider,
    ...(config.llm.awsRegion !== undefined && { region: config.llm.awsRegion }),
    ...(config.llm.bedrockEndpoint !== undefined && { endpoint: config.llm.bedrockEndpoint }),
    model: config.llm.bedrockModel,
    embeddingModel: config.llm.bedrockEmbeddingModel,
    ...(config.llm.fallback !== undefined && { fallback: [...config.llm.fallback] }),
    fallbackTimeoutMs: config.llm.fallbackTimeoutMs,
    ...(config.llm.embeddingProvider !== undefined && { embeddingProvider: config.llm.embeddingProvider }),
    ...(config.llm.openai !== undefined && { openai: { ...config.llm.openai } }),
    ...(config.llm.anthropic !== undefined && { anthropic: { ...config.llm.anthropic } }),
  };
}

/** The parser of uploads and `document-extractor`: worker threads with `config.parsing`'s caps. */
export function documentParserOf(config: Pick<ServerConfig, "parsing">): DocumentParser {
  const { memoryMb, timeoutMs, concurrency } = config.parsing;
  const parser = new WorkerDocumentParser({ memoryMb, timeoutMs, concurrency });
  return (file, options) => parser.parse(file, options);
}

/**
 * The node limits a server configuration sets: http-request's allow-list and size cap, the
 * sandboxes' defaults and maxima, and document-extractor's upload limits and parser.
 */
export function nodeRegistryOptionsOf(
  config: Pick<ServerConfig, "http" | "sandbox" | "maxUploadBytes" | "parsing">,
  parts: {
    readonly documentParser?: DocumentParser;
    readonly sandboxes?: Sandboxes;
    readonly chatProviders?: NodeRegistryOptions["chatProviders"];
  } = {},
): NodeRegistryOptions {
  return {
    http: { allow: config.http.allow, maxResponseBytes: config.http.maxResponseBytes },
    sandbox: { defaults: config.sandbox.defaults, maxima: config.sandbox.maxima },
    ...(parts.sandboxes !== undefined && { sandboxes: parts.sandboxes }),
    ...(parts.chatProviders !== undefined && { chatProviders: parts.chatProviders }),
    documents: {
      limits: {
        maxBytes: config.maxUploadBytes,
        maxUncompressedBytes: config.parsing.maxUncompressedBytes,
        maxDocxXmlBytes: config.parsing.maxDocxXmlBytes,
      },
      limitSettings: INGEST_LIMIT_SETTINGS,
      ...(parts.documentParser !== undefined && { parser: parts.documentParser }),
    },
  };
}

/** Opens (and migrates) the configured database and wires everything a run needs. */
export async function openRuntime(config: ServerConfig, options: OpenRuntimeOptions = {}): Promise<PortflowRuntime> {
  const providers = createProviders(providerConfigOf(config));
  const documentParser = documentParserOf(config);
  const sandboxes = sharedSandboxes();
  const registry = createNodeRegistry(
    nodeRegistryOptionsOf(config, { documentParser, sandboxes, chatProviders: providers.catalog.providers }),
  );
  let storage: Storage;
  try {
    // Workflow versions are V2; a V1 workflow lives in the bot's legacy_workflow until migrated.
    storage = await openConfiguredStorage(config, {
      ...options,
      embeddingDimensions: providers.embedder.dimensions,
      validate: (json) => validateWorkflow(json, registry, { allowV1: false }),
    });
  } catch (error) {
    providers.close();
    throw error;
  }
  if (storage.database.dialect === "pglite" && config.hnsw.minChunks > 0) {
    options.logger?.info("embedded PGlite: vector search stays exact; PORTFLOW_HNSW_* apply on PostgreSQL");
  }
  const services = new ServiceContainer()
    .register(Services.ChatModel, providers.chatModel)
    .register(ChatModelCatalogService, providers.catalog)
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
    sandboxes,
    documentParser,
    async close() {
      providers.close();
      await storage.close();
    },
  };
}
