import { createHash } from "node:crypto";
import {
  BM25_B,
  BM25_K1,
  type CallOptions,
  type ChunkRecord,
  type KeywordSearchOptions,
  keywordQueryTerms,
  type RetrievedChunk,
  type VectorSearchOptions,
  type VectorStore,
} from "@portflow/engine";
import { type RawBuilder, sql } from "kysely";
import pgvector from "pgvector";
import { BinaryCopyWriter } from "./binary-copy-writer.ts";
import { chunkKeywords, quoteLexeme } from "./chunk-keywords.ts";
import { rethrowUnavailable } from "./database-unavailable.ts";
import type { StorageDatabase } from "./open-database.ts";
import { botNotFoundOnForeignKey } from "./pg-error.ts";
import { fromStoredJson, toJsonb } from "./stored-json.ts";

/** Rows per binary COPY statement (one upsert may run several, in one transaction). */
const COPY_BATCH_ROWS = 2_000;
const COPY_COLUMNS = ["bot_id", "document_id", "chunk_index", "content", "metadata", "embedding"] as const;
const KEYWORD_COLUMNS = ["bot_id", "document_id", "chunk_index", "keywords", "token_count"] as const;

interface ChunkRow {
  document_id: string;
  chunk_index: number;
  content: string;
  metadata: Record<string, unknown>;
}

export interface HnswIndexOptions {
  /** HNSW `m` (default 16). */
  readonly m?: number;
  /** HNSW `ef_construction` (default 64). */
  readonly efConstruction?: number;
  /** `CREATE INDEX CONCURRENTLY`: writes to the table go on while it builds (default true). */
  readonly concurrently?: boolean;
}

/**
 * The engine's `VectorStore` on pgvector: chunks with embeddings in `document_embeddings`,
 * exact cosine search scoped by bot.
 *
 * Retrieval design: every search filters `bot_id = $1` and orders by `embedding <=> $2`, which
 * the planner runs as a btree scan of that bot's rows plus exact distances (recall 1.0; the
 * embedding column is `STORAGE PLAIN`, so no detoasting). There is deliberately no global HNSW
 * index: filtered by bot it returned recall@5 of 0.06–0.60. A bot that outgrows exact search
 * (tens of thousands of chunks) can get its own partial HNSW index with
 * `createBotHnswIndex(botId)`: the same query then uses it (p50 1.4 ms, recall@5 ≈ 0.91–0.94),
 * at the cost of slower inserts for that bot (130–310 rows/s); `dropBotHnswIndex` switches back.
 *
 * @example
 * const store = new PgVectorStore(database);
 * await store.upsert(botId, chunks);
 * const hits = await store.search(botId, queryVector, { topK: 5, scoreThreshold: 0.2 });
 */
export class PgVectorStore implements VectorStore {
  readonly #database: StorageDatabase;

  constructor(database: StorageDatabase) {
    this.#database = database;
  }

  /**
   * Inserts chunks, replacing any with the same (document, chunk index), in one transaction,
   * loaded with binary COPY.
   */
  async upsert(botId: string, chunks: readonly ChunkRecord[], options?: CallOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    if (chunks.length === 0) return;
    for (const chunk of chunks) this.#assertEmbedding(chunk.embedding);
    const keys = toJsonb(chunks.map((c) => ({ d: c.documentId, i: c.chunkIndex })));
    await this.#load(botId, chunks, keys, options).catch(botNotFoundOnForeignKey(botId));
  }

  async #load(botId: string, chunks: readonly ChunkRecord[], keys: string, options?: CallOptions): Promise<void> {
    await this.#database.withRawTransaction(async (session) => {
      await session.query(
        `DELETE FROM document_embeddings e
         USING jsonb_to_recordset($2::jsonb) AS k(d text, i int)
         WHERE e.bot_id = $1 AND e.document_id = k.d AND e.chunk_index = k.i`,
        [botId, keys],
      );
      for (let start = 0; start < chunks.length; start += COPY_BATCH_ROWS) {
        options?.signal?.throwIfAborted();
        const batch = chunks.slice(start, start + COPY_BATCH_ROWS);
        const writer = new BinaryCopyWriter(batch.length * (this.#database.embeddingDimensions * 4 + 512));
        for (const chunk of batch) {
          writer
            .row(COPY_COLUMNS.length)
            .text(botId)
            .text(chunk.documentId)
            .int4(chunk.chunkIndex)
            .text(chunk.content.replaceAll("\0", "\uFFFD"))
            .jsonb(toJsonb(chunk.metadata ?? {}))
            .vector(chunk.embedding);
        }
        await session.copyFromBinary("document_embeddings", COPY_COLUMNS, writer.finish());
        // the keyword index row of each chunk (the DELETE above cascaded to the old ones)
        const keywords = new BinaryCopyWriter(batch.length * 2_048);
        for (const chunk of batch) {
          const entry = chunkKeywords(chunk.content);
          keywords
            .row(KEYWORD_COLUMNS.length)
            .text(botId)
            .text(chunk.documentId)
            .int4(chunk.chunkIndex)
            .tsvector(entry.lexemes)
            .int4(entry.tokenCount);
        }
        await session.copyFromBinary("chunk_keywords", KEYWORD_COLUMNS, keywords.finish());
      }
    });
  }

  async search(botId: string, embedding: readonly number[], options: VectorSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    this.#assertEmbedding(embedding);
    const topK = Math.max(1, Math.min(1_000, Math.floor(options.topK)));
    const vector = compactVectorText(embedding);
    const filter = metadataFilter(options.filter);
    // the query vector is sent once, as a float32-exact text parameter (about half the
    // characters of JavaScript's shortest double form), and the ORDER BY reuses its distance
    const { rows } = await sql<ChunkRow & { distance: number }>`
      SELECT document_id, chunk_index, content, metadata, embedding <=> ${vector}::vector AS distance
      FROM document_embeddings
      WHERE bot_id = ${botId} ${filter}
      ORDER BY distance
      LIMIT ${topK}`
      .execute(this.#database.db)
      // a run's knowledge node fails with a code the HTTP layer can tell apart from a bad query
      .catch(rethrowUnavailable);
    options.signal?.throwIfAborted();
    const threshold = options.scoreThreshold;
    return rows
      .map((r) => ({
        documentId: r.document_id,
        chunkIndex: r.chunk_index,
        content: r.content,
        metadata: fromStoredJson(r.metadata ?? {}),
        score: 1 - Number(r.distance),
      }))
      .filter((r) => threshold === undefined || r.score >= threshold);
  }

  /**
   * BM25 over the bot's keyword index (`chunk_keywords`), computed in one statement: the GIN
   * index finds the chunks holding any query term, `setweight` + `ts_filter` keep only those
   * terms of each `tsvector` (their positions count the term frequency), document frequencies
   * come from the same matches, and the bot's chunk count and mean length from its rows.
   */
  async keywordSearch(botId: string, query: string, options: KeywordSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    const terms = keywordQueryTerms(query);
    if (terms.length === 0) return [];
    const topK = Math.max(1, Math.min(1_000, Math.floor(options.topK)));
    const tsquery = terms.map(quoteLexeme).join(" | ");
    const { rows } = await sql<ChunkRow & { score: number }>`
      WITH stats AS (
        SELECT count(*)::float8 AS n, coalesce(nullif(avg(token_count), 0), 1)::float8 AS mean_length
        FROM chunk_keywords WHERE bot_id = ${botId}
      ), matched AS (
        SELECT document_id, chunk_index, token_count,
               ts_filter(setweight(keywords, 'A', ${terms}::text[]), '{a}') AS hits
        FROM chunk_keywords
        WHERE bot_id = ${botId} AND keywords @@ ${tsquery}::tsquery
      ), term_hits AS (
        SELECT m.document_id, m.chunk_index, m.token_count, h.lexeme, cardinality(h.positions)::float8 AS tf
        FROM matched m, unnest(m.hits) AS h
      ), frequencies AS (
        SELECT lexeme, count(*)::float8 AS df FROM term_hits GROUP BY lexeme
      ), scored AS (
        SELECT t.document_id, t.chunk_index,
               sum(ln(1 + (s.n - f.df + 0.5) / (f.df + 0.5)) * t.tf * ${sql.lit(BM25_K1 + 1)}
                   / (t.tf + ${sql.lit(BM25_K1)} * (${sql.lit(1 - BM25_B)} + ${sql.lit(BM25_B)} * t.token_count / s.mean_length))) AS score
        FROM term_hits t JOIN frequencies f USING (lexeme) CROSS JOIN stats s
        GROUP BY t.document_id, t.chunk_index
      )
      SELECT e.document_id, e.chunk_index, e.content, e.metadata, sc.score
      FROM scored sc
      JOIN document_embeddings e
        ON e.bot_id = ${botId} AND e.document_id = sc.document_id AND e.chunk_index = sc.chunk_index
      WHERE true ${metadataFilter(options.filter, sql.ref("e.metadata"))}
      ORDER BY sc.score DESC, e.document_id, e.chunk_index
      LIMIT ${topK}`
      .execute(this.#database.db)
      .catch(rethrowUnavailable);
    options.signal?.throwIfAborted();
    return rows.map((r) => ({
      documentId: r.document_id,
      chunkIndex: r.chunk_index,
      content: r.content,
      metadata: fromStoredJson(r.metadata ?? {}),
      score: Number(r.score),
    }));
  }

  /** Removes a document's chunks; returns how many. */
  async deleteDocument(botId: string, documentId: string, options?: CallOptions): Promise<number> {
    options?.signal?.throwIfAborted();
    const result = await this.#database.db
      .deleteFrom("document_embeddings")
      .where("bot_id", "=", botId)
      .where("document_id", "=", documentId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** A document's chunks with their embeddings, in chunk order (for re-indexing and inspection). */
  async listChunks(botId: string, documentId: string, options?: CallOptions): Promise<ChunkRecord[]> {
    options?.signal?.throwIfAborted();
    const rows = await this.#database.db
      .selectFrom("document_embeddings")
      .select(["document_id", "chunk_index", "content", "metadata", "embedding"])
      .where("bot_id", "=", botId)
      .where("document_id", "=", documentId)
      .orderBy("chunk_index")
      .execute();
    return rows.map((r) => ({
      documentId: r.document_id,
      chunkIndex: r.chunk_index,
      content: r.content,
      metadata: fromStoredJson(r.metadata ?? {}) as Record<string, unknown>,
      // The type parser registered at open time turns `vector` into number[].
      embedding: typeof r.embedding === "string" ? (pgvector.fromSql(r.embedding) as number[]) : r.embedding,
    }));
  }

  /** How many chunks a bot has (all documents). */
  async countChunks(botId: string, options?: CallOptions): Promise<number> {
    options?.signal?.throwIfAborted();
    const row = await this.#database.db
      .selectFrom("document_embeddings")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("bot_id", "=", botId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Gives one bot its own HNSW index (a partial index on `bot_id = '<botId>'`), for bots too
   * large for exact search. Approximate: recall@5 around 0.9. Idempotent.
   */
  async createBotHnswIndex(botId: string, options: HnswIndexOptions = {}): Promise<string> {
    const name = botHnswIndexName(botId);
    const m = Math.floor(options.m ?? 16);
    const ef = Math.floor(options.efConstruction ?? 64);
    await sql`
      CREATE INDEX ${options.concurrently === false ? sql`` : sql`CONCURRENTLY`} IF NOT EXISTS ${sql.id(name)}
      ON document_embeddings
      USING hnsw (embedding vector_cosine_ops) WITH (m = ${sql.lit(m)}, ef_construction = ${sql.lit(ef)})
      WHERE bot_id = ${sql.lit(botId)}`.execute(this.#database.db);
    return name;
  }

  /** Drops a bot's HNSW index: its searches are exact again. */
  async dropBotHnswIndex(botId: string): Promise<void> {
    await sql`DROP INDEX IF EXISTS ${sql.id(botHnswIndexName(botId))}`.execute(this.#database.db);
  }

  #assertEmbedding(embedding: readonly number[]): void {
    const expected = this.#database.embeddingDimensions;
    if (embedding.length !== expected) {
      throw new RangeError(`embedding has ${embedding.length} dimensions, the store holds ${expected}`);
    }
    for (const v of embedding) {
      if (!Number.isFinite(v)) throw new RangeError("embedding values must be finite numbers");
    }
  }
}

/** `AND <column> @> filter` for a non-empty metadata filter, nothing otherwise. */
function metadataFilter(
  filter: Readonly<Record<string, unknown>> | undefined,
  column: RawBuilder<unknown> | ReturnType<typeof sql.ref> = sql.ref("metadata"),
) {
  return filter && Object.keys(filter).length > 0 ? sql`AND ${column} @> ${toJsonb(filter)}::jsonb` : sql``;
}

/**
 * pgvector text of a vector with each value at float32 precision (9 significant digits
 * identify a float4 exactly, so the stored distance is the same as with the full double text).
 */
export function compactVectorText(values: readonly number[]): string {
  let text = "[";
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ",";
    text += String(Number(Math.fround(values[i] as number).toPrecision(9)));
  }
  return `${text}]`;
}

/** Name of the per-bot HNSW index (bot ids are hashed: index names are limited to 63 bytes). */
export function botHnswIndexName(botId: string): string {
  return `document_embeddings_hnsw_${createHash("sha256").update(botId).digest("hex").slice(0, 16)}`;
}
