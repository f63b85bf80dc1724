import type { CallOptions } from "@portflow/engine";
import { type Kysely, type Selectable, sql } from "kysely";
import type { Database, DocumentsTable } from "./database-schema.ts";
import { clampLimit, decodeCursor, encodeCursor } from "./paging.ts";
import { botNotFoundOnForeignKey, sqlState, UNIQUE_VIOLATION } from "./pg-error.ts";
import { ConflictError } from "./storage-error.ts";

export type DocumentStatus = "pending" | "processing" | "ready" | "failed";

export interface StoredDocument {
  readonly id: string;
  readonly botId: string;
  readonly filename: string;
  readonly mimeType: string;
  /** Hex SHA-256 of the uploaded bytes. */
  readonly sha256: string;
  readonly bytes: number;
  readonly status: DocumentStatus;
  readonly chunkCount: number;
  readonly error: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface CreateDocumentInput {
  readonly id?: string;
  readonly filename: string;
  readonly mimeType: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly status?: DocumentStatus;
}

export interface UpdateDocumentInput {
  readonly status?: DocumentStatus;
  readonly chunkCount?: number;
  readonly error?: string | null;
}

export interface ListDocumentsOptions extends CallOptions {
  /** 1..500, default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; any other text is an `InvalidCursorError`. */
  readonly cursor?: string;
}

/** One page of a bot's documents, newest first, paged by cursor like runs. */
export interface DocumentList {
  readonly items: StoredDocument[];
  /** All documents of the bot, whatever the page. */
  readonly total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/** Uploaded documents of a bot. Their chunks live in the vector store. */
export interface DocumentRepository {
  /** @throws ConflictError when the bot already has a document with this sha256. */
  create(botId: string, input: CreateDocumentInput, options?: CallOptions): Promise<StoredDocument>;
  get(botId: string, documentId: string, options?: CallOptions): Promise<StoredDocument | undefined>;
  /** A document of this bot with the same content, if one was uploaded before. */
  findBySha256(botId: string, sha256: string, options?: CallOptions): Promise<StoredDocument | undefined>;
  list(botId: string, options?: ListDocumentsOptions): Promise<DocumentList>;
  update(
    botId: string,
    documentId: string,
    patch: UpdateDocumentInput,
    options?: CallOptions,
  ): Promise<StoredDocument | undefined>;
  /** Deletes the document and all its chunks in one transaction; false when there was none. */
  delete(botId: string, documentId: string, options?: CallOptions): Promise<boolean>;
}

function toDocument(row: Selectable<DocumentsTable>): StoredDocument {
  return {
    id: row.id,
    botId: row.bot_id,
    filename: row.filename,
    mimeType: row.mime_type,
    sha256: row.sha256,
    bytes: Number(row.bytes),
    status: row.status as DocumentStatus,
    chunkCount: row.chunk_count,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class KyselyDocumentRepository implements DocumentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(botId: string, input: CreateDocumentInput, options?: CallOptions): Promise<StoredDocument> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .insertInto("documents")
      .values({
        ...(input.id ? { id: input.id } : {}),
        bot_id: botId,
        filename: input.filename,
        mime_type: input.mimeType,
        sha256: input.sha256,
        bytes: input.bytes,
        status: input.status ?? "pending",
        error: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
      .catch((error: unknown) => {
        if (sqlState(error) === UNIQUE_VIOLATION) {
          throw new ConflictError(`bot ${botId} already has a document with sha256 ${input.sha256}`);
        }
        return botNotFoundOnForeignKey(botId)(error);
      });
    return toDocument(row);
  }

  async get(botId: string, documentId: string, options?: CallOptions): Promise<StoredDocument | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .selectFrom("documents")
      .selectAll()
      .where("bot_id", "=", botId)
      .where("id", "=", documentId)
      .executeTakeFirst();
    return row && toDocument(row);
  }

  async findBySha256(botId: string, sha256: string, options?: CallOptions): Promise<StoredDocument | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .selectFrom("documents")
      .selectAll()
      .where("bot_id", "=", botId)
      .where("sha256", "=", sha256)
      .orderBy("created_at", "desc")
      .executeTakeFirst();
    return row && toDocument(row);
  }

  async list(botId: string, options: ListDocumentsOptions = {}): Promise<DocumentList> {
    options.signal?.throwIfAborted();
    const limit = clampLimit(options.limit, 50, 500);
    const base = this.db.selectFrom("documents").where("bot_id", "=", botId);
    let page = base.selectAll().select(sql<string>`created_at::text`.as("cursor_ts"));
    if (options.cursor) {
      const cursor = decodeCursor(options.cursor);
      page = page.where(sql<boolean>`(created_at, id) < (${cursor.ts}::timestamptz, ${cursor.id})`);
    }
    const [rows, count] = await Promise.all([
      page
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit + 1)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    ]);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toDocument),
      total: Number(count.n),
      nextCursor: rows.length > limit && last ? encodeCursor({ ts: last.cursor_ts, id: last.id }) : null,
    };
  }

  async update(
    botId: string,
    documentId: string,
    patch: UpdateDocumentInput,
    options?: CallOptions,
  ): Promise<StoredDocument | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .updateTable("documents")
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.chunkCount !== undefined ? { chunk_count: patch.chunkCount } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        updated_at: new Date(),
      })
      .where("bot_id", "=", botId)
      .where("id", "=", documentId)
      .returningAll()
      .executeTakeFirst();
    return row && toDocument(row);
  }

  async delete(botId: string, documentId: string, options?: CallOptions): Promise<boolean> {
    options?.signal?.throwIfAborted();
    return this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom("document_embeddings")
        .where("bot_id", "=", botId)
        .where("document_id", "=", documentId)
        .execute();
      const result = await trx
        .deleteFrom("documents")
        .where("bot_id", "=", botId)
        .where("id", "=", documentId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }
}
