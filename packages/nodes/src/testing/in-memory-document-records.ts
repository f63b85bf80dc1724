import { randomUUID } from "node:crypto";
import type { CallOptions } from "@portflow/engine";
import type {
  DocumentRecord,
  DocumentRecordPatch,
  DocumentRecords,
  NewDocumentRecord,
} from "../ingest/document-records.ts";

/** A stored row of {@link InMemoryDocumentRecords}. */
export interface InMemoryDocumentRecord extends DocumentRecord {
  readonly botId: string;
  readonly error: string | null;
}

/**
 * Document rows in memory, per bot — the reference implementation of `DocumentRecords` for tests.
 * `failNext` makes the next call of one method throw, to exercise rollback.
 */
export class InMemoryDocumentRecords implements DocumentRecords<InMemoryDocumentRecord> {
  readonly #rows = new Map<string, InMemoryDocumentRecord>();
  failNext: { method: "create" | "update" | "findBySha256" | "delete"; error?: Error } | undefined;

  #maybeFail(method: "create" | "update" | "findBySha256" | "delete", options?: CallOptions): void {
    options?.signal?.throwIfAborted();
    if (this.failNext?.method === method) {
      const error = this.failNext.error ?? new Error(`document records: ${method} failed`);
      this.failNext = undefined;
      throw error;
    }
  }

  async create(botId: string, input: NewDocumentRecord, options?: CallOptions): Promise<InMemoryDocumentRecord> {
    this.#maybeFail("create", options);
    if ([...this.#rows.values()].some((r) => r.botId === botId && r.sha256 === input.sha256)) {
      throw Object.assign(new Error(`bot ${botId} already has a document with sha256 ${input.sha256}`), {
        name: "ConflictError",
      });
    }
    const row: InMemoryDocumentRecord = {
      id: randomUUID(),
      botId,
      filename: input.filename,
      mimeType: input.mimeType,
      sha256: input.sha256,
      bytes: input.bytes,
      status: input.status ?? "pending",
      chunkCount: 0,
      error: null,
    };
    this.#rows.set(row.id, row);
    return row;
  }

  async findBySha256(
    botId: string,
    sha256: string,
    options?: CallOptions,
  ): Promise<InMemoryDocumentRecord | undefined> {
    this.#maybeFail("findBySha256", options);
    return [...this.#rows.values()].find((r) => r.botId === botId && r.sha256 === sha256);
  }

  async update(
    botId: string,
    documentId: string,
    patch: DocumentRecordPatch,
    options?: CallOptions,
  ): Promise<InMemoryDocumentRecord | undefined> {
    this.#maybeFail("update", options);
    const row = this.#rows.get(documentId);
    if (!row || row.botId !== botId) return undefined;
    const next: InMemoryDocumentRecord = {
      ...row,
      ...(patch.status !== undefined ? { status: patch.status } : {}),
      ...(patch.chunkCount !== undefined ? { chunkCount: patch.chunkCount } : {}),
      ...(patch.error !== undefined ? { error: patch.error } : {}),
    };
    this.#rows.set(documentId, next);
    return next;
  }

  async delete(botId: string, documentId: string, options?: CallOptions): Promise<boolean> {
    this.#maybeFail("delete", options);
    const row = this.#rows.get(documentId);
    if (!row || row.botId !== botId) return false;
    this.#rows.delete(documentId);
    return true;
  }

  /** Every row of a bot (all bots when omitted). */
  list(botId?: string): InMemoryDocumentRecord[] {
    return [...this.#rows.values()].filter((r) => botId === undefined || r.botId === botId);
  }
}
