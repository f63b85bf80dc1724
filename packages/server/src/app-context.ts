import type { NodeRegistryV2 } from "@portflow/engine";
import type { Storage, StoredDocument } from "@portflow/storage";
import type { Redis } from "ioredis";
import type { ServerConfig } from "./config.ts";
import type { SessionStore } from "./session-store.ts";
import type { WorkflowRunner } from "./workflow-runner.ts";

/** What route plugins get: the packages below, already wired. */
export interface AppContext {
  readonly config: AppConfig;
  readonly storage: Storage;
  readonly registry: NodeRegistryV2;
  readonly runner: WorkflowRunner;
  readonly sessions: SessionStore;
  readonly redis: Redis | undefined;
  readonly ingestion: DocumentIngestion;
  /** Resolves when the database answers; rejects otherwise. */
  readonly pingDatabase: () => Promise<void>;
}

/** The part of the server configuration `buildApp` uses. */
export type AppConfig = Pick<ServerConfig, "maxUploadBytes" | "rateLimit" | "session" | "shutdownGraceMs">;

/** One uploaded file to parse, chunk, embed and store for a bot. */
export interface DocumentUpload {
  readonly botId: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  readonly signal?: AbortSignal;
}

/** Turns an upload into a stored document with its chunks; returns the stored document. */
export interface DocumentIngestion {
  ingest(upload: DocumentUpload): Promise<StoredDocument>;
}
