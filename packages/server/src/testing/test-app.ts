/**
 * A complete app for tests: real storage (in-memory PGlite, or a PostgreSQL URL), the real node
 * registry, local embeddings, a scripted chat model, optional Redis, and API keys.
 * @module
 */
import { type ChatModel, ServiceContainer, Services, validateWorkflow } from "@portflow/engine";
import { createNodeRegistry, type NodeRegistryOptions } from "@portflow/nodes";
import { LocalEmbedder } from "@portflow/nodes/local";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { Redis } from "ioredis";
import { storedApiKeys } from "../api-key-auth.ts";
import type { AppConfig, DocumentIngestion } from "../app-context.ts";
import { buildApp, type PortflowApp } from "../build-app.ts";
import { loadConfig, type ParsingConfig } from "../config.ts";
import { createDocumentIngestion, INGEST_LIMIT_SETTINGS } from "../document-ingestion.ts";
import { documentParserOf } from "../portflow-runtime.ts";
import { openRunQueue } from "../queue/open-run-queue.ts";
import { ScriptedChatModel } from "./scripted-chat-model.ts";

export interface TestAppOptions {
  /** A PostgreSQL URL; absent: a fresh in-memory PGlite. */
  readonly databaseUrl?: string;
  /** Share rate limits and sessions through this Redis. */
  readonly redisUrl?: string;
  readonly chatModel?: ChatModel;
  /** Also accept this fixed admin key, as `PORTFLOW_ADMIN_KEY` does. */
  readonly adminKey?: string;
  readonly config?: Partial<AppConfig>;
  /** Upload parsing limits (default: the server's defaults). */
  readonly parsing?: Partial<ParsingConfig>;
  /** Document ingestion (default: the real `ingestDocument` with the local embedder). */
  readonly ingestion?: (storage: Storage, embedder: LocalEmbedder) => DocumentIngestion;
  /** The built web console to serve at `/console/` (default: the workspace's `packages/console/dist`). */
  readonly consoleDir?: string;
  /** The key bot secrets are encrypted under (`PORTFLOW_SECRET_KEY`); absent: secrets cannot be stored. */
  readonly secretKey?: Uint8Array;
  /** Limits of the node types (the http-request allow-list, say). */
  readonly nodes?: NodeRegistryOptions;
  /** Queue mode: runs are submitted to the BullMQ queue on this Redis (for `RunWorker`s) instead of executed here. */
  readonly runQueueUrl?: string;
}

export interface TestApp {
  readonly app: PortflowApp;
  readonly storage: Storage;
  readonly chatModel: ChatModel;
  readonly embedder: LocalEmbedder;
  readonly redis: Redis | undefined;
  /** Authorization header of an admin key. */
  readonly admin: { authorization: string };
  /** Authorization header of a new key for `botId`, with the `bot` scope unless `scope` says `chat`. */
  keyFor(botId: string, scope?: "bot" | "chat"): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export const TEST_EMBEDDING_DIMENSIONS = 256;

export const DEFAULT_TEST_CONFIG: AppConfig = {
  maxUploadBytes: 1024 * 1024,
  rateLimit: { max: 10_000, chatMax: 10_000, windowMs: 60_000 },
  session: { maxTurns: 5, ttlSeconds: 600 },
  shutdownGraceMs: 2_000,
};

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await openDatabase({
    ...(options.databaseUrl !== undefined ? { databaseUrl: options.databaseUrl } : { dataDir: "memory://" }),
    embeddingDimensions: TEST_EMBEDDING_DIMENSIONS,
    maxConnections: 4,
  });
  const maxUploadBytes = options.config?.maxUploadBytes ?? DEFAULT_TEST_CONFIG.maxUploadBytes;
  const parsing = { ...loadConfig({}).parsing, ...options.parsing };
  // One parser for uploads and document-extractor, as a server has.
  const documentParser = documentParserOf({ parsing });
  const registry = createNodeRegistry({
    documents: {
      parser: documentParser,
      limits: {
        maxBytes: maxUploadBytes,
        maxUncompressedBytes: parsing.maxUncompressedBytes,
        maxDocxXmlBytes: parsing.maxDocxXmlBytes,
      },
      limitSettings: INGEST_LIMIT_SETTINGS,
    },
    ...options.nodes,
  });
  const storage = createStorage(database, {
    validate: (json) => validateWorkflow(json, registry),
    ...(options.secretKey !== undefined && { secretKey: options.secretKey }),
  });
  const embedder = new LocalEmbedder({ dimensions: TEST_EMBEDDING_DIMENSIONS });
  const chatModel = options.chatModel ?? new ScriptedChatModel();
  const services = new ServiceContainer()
    .register(Services.ChatModel, chatModel)
    .register(Services.Embedder, embedder)
    .register(Services.VectorStore, storage.vectors)
    .register(Services.RunRecorder, storage.recorder);
  const redis = options.redisUrl !== undefined ? new Redis(options.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  const queue = options.runQueueUrl !== undefined ? openRunQueue(options.runQueueUrl) : undefined;
  const app = await buildApp({
    ...(queue !== undefined && { runEvents: queue.events, runDispatcher: queue.dispatcher }),
    config: { ...DEFAULT_TEST_CONFIG, ...options.config },
    storage,
    registry,
    services,
    ingestion:
      options.ingestion?.(storage, embedder) ??
      createDocumentIngestion(storage, embedder, { maxUploadBytes, parsing }, documentParser),
    ...(redis !== undefined && { redis }),
    apiKeys: storedApiKeys(storage.apiKeys),
    ...(options.consoleDir !== undefined && { consoleDir: options.consoleDir }),
  });
  if (options.adminKey !== undefined) await storage.apiKeys.adopt(options.adminKey, { name: "PORTFLOW_ADMIN_KEY" });
  const admin = await storage.apiKeys.create({ name: "test admin" });
  return {
    app,
    storage,
    chatModel,
    embedder,
    redis,
    admin: { authorization: `Bearer ${admin.plaintext}` },
    async keyFor(botId, scope = "bot") {
      const key = await storage.apiKeys.create({ name: `test ${scope} key for ${botId}`, botId, scope });
      return { authorization: `Bearer ${key.plaintext}` };
    },
    async close() {
      await app.close();
      await queue?.close();
      redis?.disconnect();
      await storage.close();
    },
  };
}
