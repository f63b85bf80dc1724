import type { NodeRegistryV2 } from "@portflow/engine";
import type { Storage, StoredDocument } from "@portflow/storage";
import type { Redis } from "ioredis";
import type { ServerConfig } from "./config.ts";
import type { OutageLog } from "./outage-log.ts";
import type { RunEventLog } from "./run-event-log.ts";
import type { RunService } from "./run-service.ts";
import type { SessionStore } from "./session-store.ts";
import type { WorkflowRunner } from "./workflow-runner.ts";

/** What route plugins get: the packages below, already wired. */
export interface AppContext {
  readonly config: AppConfig;
  readonly storage: Storage;
  readonly registry: NodeRegistryV2;
  readonly runner: WorkflowRunner;
  /** The only way runs start: submit a spec, execute it (here or on a worker). */
  readonly runService: RunService;
  /** The events of runs, by run id: what `GET …/events` streams. */
  readonly runEvents: RunEventLog;
  readonly sessions: SessionStore;
  readonly redis: Redis | undefined;
  /** Set when `redis` is: logs its outages once. */
  readonly redisOutage: OutageLog | undefined;
  readonly ingestion: DocumentIngestion;
  /** Resolves when the database answers; rejects otherwise. */
  readonly pingDatabase: () => Promise<void>;
}

/** The part of the server configuration `buildApp` uses. */
export type AppConfig = Pick<ServerConfig, "maxUploadBytes" | "rateLimit" | "session" | "shutdownGraceMs"> &
  Partial<Pick<ServerConfig, "trustProxy" | "chatMaxFiles">>;

/** One uploaded file to parse, chunk, embed and store for a bot. */
export interface DocumentUpload {
  readonly botId: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly bytes: Uint8Array;
  readonly signal?: AbortSignal;
}

/** What an upload became. */
export interface IngestedDocument {
  readonly document: StoredDocument;
  /** The same bytes were ingested for this bot before; nothing changed. */
  readonly duplicate: boolean;
  /** One line for the user. */
  readonly message: string;
}

/**
 * Parses, chunks, embeds and stores an upload (`ingestDocument` from `@portflow/nodes/ingest`).
 * Throws its IngestError for files it cannot read.
 */
export interface DocumentIngestion {
  ingest(upload: DocumentUpload): Promise<IngestedDocument>;
}
