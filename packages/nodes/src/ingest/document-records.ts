import type { CallOptions } from "@portflow/engine";

/** Lifecycle of a document row. */
export type DocumentRecordStatus = "pending" | "processing" | "ready" | "failed";

/** The fields ingestion reads from a document row (storage rows carry more). */
export interface DocumentRecord {
  readonly id: string;
  readonly filename: string;
  readonly mimeType: string;
  /** Hex SHA-256 of the uploaded bytes. */
  readonly sha256: string;
  readonly bytes: number;
  readonly status: DocumentRecordStatus;
  readonly chunkCount: number;
}

/** What ingestion writes when it creates a row. */
export interface NewDocumentRecord {
  readonly filename: string;
  readonly mimeType: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly status?: DocumentRecordStatus;
}

/** What ingestion changes on a row. */
export interface DocumentRecordPatch {
  readonly status?: DocumentRecordStatus;
  readonly chunkCount?: number;
  readonly error?: string | null;
}

/**
 * Where ingestion records documents, per bot: implemented by the storage package's document
 * repository, and in memory by `InMemoryDocumentRecords` from `@portflow/nodes/testing`.
 */
export interface DocumentRecords<D extends DocumentRecord = DocumentRecord> {
  /**
   * Rejects with an error named `ConflictError` when the bot already has a document with this
   * sha256 (a concurrent upload of the same file got there first).
   */
  create(botId: string, input: NewDocumentRecord, options?: CallOptions): Promise<D>;
  /** A document of this bot with the same content, if there is one. */
  findBySha256(botId: string, sha256: string, options?: CallOptions): Promise<D | undefined>;
  update(botId: string, documentId: string, patch: DocumentRecordPatch, options?: CallOptions): Promise<D | undefined>;
  /** Deletes the row (and, in storage, its chunks); false when there was none. */
  delete(botId: string, documentId: string, options?: CallOptions): Promise<boolean>;
}
