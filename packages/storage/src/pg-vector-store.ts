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
import { type ChunkKeywords, chunkKeywords } from "./chunk-keywords.ts";
import { rethrowUnavailable } from "./database-unavailable.ts";
import { type CalibrationRung, calibrate, type HnswCalibration, queryNear } from "./hnsw-calibration.ts";
import { type HnswPolicy, resolveHnswPolicy } from "./hnsw-policy.ts";
import type { StorageDatabase } from "./open-database.ts";
import { botNotFoundOnForeignKey } from "./pg-error.ts";
import { fromStoredJson, toJsonb } from "./stored-json.ts";

/** Rows per binary COPY statement (one upsert may run several, in one transaction). */
const COPY_BATCH_ROWS = 2_000;
const COPY_COLUMNS = ["bot_id", "document_id", "chunk_index", "content", "metadata", "embedding"] as const;
const KEYWORD_COLUMNS = ["bot_id", "document_id", "chunk_index", "keywords", "token_count"] as const;
/** How long a bot's index state is trusted before it is read again (another process may build or drop it). */
const INDEX_STATE_TTL_MS = 30_000;

/**
 * A bot's HNSW index: none, usable, or not yet usable (a concurrent build running or failed),
 * with what measuring it chose (absent until it has been measured).
 */
interface IndexState {
  readonly index: "none" | "valid" | "invalid";
  readonly calibration?: Pick<HnswCalibration, "search" | "efSearch" | "chunks">;
}

/** How one search runs: exactly, or through the bot's index at this `ef_search`. */
export type SearchRoute = { readonly through: "exact" } | { readonly through: "index"; readonly efSearch: number };
const EXACT: SearchRoute = Object.freeze({ through: "exact" });

interface ChunkRow {
  document_id: string;
  chunk_index: number;
  content: string;
  metadata: Record<string, unknown>;
}

export interface HnswIndexOptions {
  /** HNSW `m` (default: the policy's, 16). */
  readonly m?: number;
  /** HNSW `ef_construction` (default: the policy's, 64). */
  readonly efConstruction?: number;
  /** `CREATE INDEX CONCURRENTLY`: writes to the table go on while it builds (default true). */
  readonly concurrently?: boolean;
}

/** See {@link PgVectorStore.indexStatus}. */
export interface BotIndexStatus {
  readonly chunks: number;
  readonly index: "none" | "building" | "failed" | "valid";
  /** How this store searches the bot now. */
  readonly searches: SearchRoute;
  /** Absent until the index has been measured (searches are exact until then). */
  readonly calibration?: HnswCalibration;
}

export interface PgVectorStoreOptions {
  /** When bots get their own HNSW index and how it is searched (defaults: `DEFAULT_HNSW_POLICY`). */
  readonly hnsw?: Partial<HnswPolicy>;
  /** A background index build failed (the bot's searches stay exact; the next upsert tries again). */
  readonly onIndexBuildError?: (botId: string, error: Error) => void;
}

/**
 * The engine's `VectorStore` on pgvector: chunks with embeddings in `document_embeddings`,
 * exact cosine search scoped by bot, and a per-bot HNSW index for bots that outgrow it.
 *
 * Retrieval design: every search filters `bot_id = $1` and orders by `embedding <=> $2`: an exact
 * search is `nearest_chunks` (migration 0018), a btree index scan of that bot's rows (bitmap scans
 * off) plus exact distances (recall 1.0; the embedding column is `STORAGE PLAIN`, so no
 * detoasting), the content of the top k read by `ctid` after ranking. On PostgreSQL the query vector travels
 * in pgvector's binary form (4 KiB, no float parsing); PGlite takes it as float32-exact text.
 * There is deliberately no global HNSW index: filtered by bot it returned recall@5 of 0.06–0.60.
 * A bot reaching {@link HnswPolicy.minChunks} chunks gets its own partial HNSW index, built with
 * `CREATE INDEX CONCURRENTLY` in the background (PostgreSQL only; on PGlite searches stay exact),
 * then measured (`hnsw-calibration.ts`): its searches take `topK × candidateFactor` candidates
 * from the index at the lowest `hnsw.ef_search` that showed the policy's `minRecall` and re-rank
 * them exactly — or stay exact if none did. Large loads into an indexed bot drop the index, COPY,
 * and rebuild it. `createBotHnswIndex` / `dropBotHnswIndex` do the same by hand.
 *
 * @example
 * const store = new PgVectorStore(database, { hnsw: { minChunks: 20_000 } });
 * await store.upsert(botId, chunks);
 * const hits = await store.search(botId, queryVector, { topK: 5, scoreThreshold: 0.2 });
 */
export class PgVectorStore implements VectorStore {
  readonly #database: StorageDatabase;
  readonly #policy: HnswPolicy;
  readonly #onIndexBuildError: (botId: string, error: Error) => void;
  readonly #indexStates = new Map<string, { state: IndexState; checkedAt: number }>();
  /** Index builds and measurements running in this process, by bot. */
  readonly #builds = new Map<string, Promise<void>>();
  /** When a search last found the bot's valid index unmeasured (and had it measured). */
  readonly #unmeasuredSeen = new Map<string, number>();

  /** @throws RangeError for a bad `hnsw` policy value. */
  constructor(database: StorageDatabase, options: PgVectorStoreOptions = {}) {
    this.#database = database;
    this.#policy = resolveHnswPolicy(options.hnsw);
    this.#onIndexBuildError = options.onIndexBuildError ?? (() => {});
  }

  /** The HNSW policy in force (defaults applied). */
  get hnswPolicy(): HnswPolicy {
    return this.#policy;
  }

  /**
   * Whether this store builds bots' HNSW indexes automatically: on PostgreSQL with
   * `minChunks > 0`. Embedded PGlite is one session that a build would block, so there every
   * search stays exact.
   */
  get buildsIndexesAutomatically(): boolean {
    return this.#database.dialect === "postgres" && this.#policy.minChunks > 0;
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
    // a large load into an indexed bot goes in without the index, which is rebuilt afterwards
    const bulk =
      this.#database.dialect === "postgres" &&
      chunks.length >= this.#policy.bulkLoadRows &&
      (await this.#indexState(botId, { fresh: true })).index !== "none";
    if (bulk) {
      await this.#builds.get(botId);
      await this.#dropIndex(botId);
    }
    await this.#load(botId, chunks, keys, options).catch(botNotFoundOnForeignKey(botId));
    if (bulk) this.#startBuild(botId);
    // the chunks are stored: a failing threshold check is the index's problem, not the upsert's
    else if (this.buildsIndexesAutomatically) await this.#buildWhenLarge(botId).catch(this.#buildFailed(botId));
  }

  /**
   * Resolves when the index builds and measurements this store started have finished (a failed
   * one is reported to `onIndexBuildError`, never thrown here).
   */
  async indexBuilds(): Promise<void> {
    while (this.#builds.size > 0) await Promise.all(this.#builds.values());
  }

  /** Builds the bot's index once it reaches `minChunks`; measures it again once it has doubled since. */
  async #buildWhenLarge(botId: string): Promise<void> {
    if (this.#builds.has(botId)) return;
    const { index, calibration } = await this.#indexState(botId);
    if (index === "invalid") return;
    if (index === "valid" && (calibration === undefined || this.#policy.minRecall === 0)) return;
    const chunks = await this.countChunks(botId);
    if (index === "none" && chunks >= this.#policy.minChunks) this.#startBuild(botId);
    else if (calibration !== undefined && chunks >= 2 * Math.max(1, calibration.chunks)) {
      this.#inBackground(botId, () => this.#calibrate(botId, { wait: false }));
    }
  }

  #buildFailed(botId: string): (error: unknown) => void {
    return (error) => this.#onIndexBuildError(botId, error instanceof Error ? error : new Error(String(error)));
  }

  #startBuild(botId: string): void {
    this.#inBackground(botId, async () => {
      await this.#build(botId, { m: this.#policy.m, efConstruction: this.#policy.efConstruction });
      await this.#calibrate(botId, { wait: true });
    });
  }

  /** One build or measurement per bot at a time; `indexBuilds()` waits for them. */
  #inBackground(botId: string, work: () => Promise<void>): void {
    if (this.#builds.has(botId)) return;
    const running = work()
      .catch(this.#buildFailed(botId))
      .finally(() => this.#builds.delete(botId));
    this.#builds.set(botId, running);
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
        const entries = batch.map((chunk) => chunkKeywords(chunk.content));
        for (const [i, chunk] of batch.entries()) {
          const entry = entries[i] as ChunkKeywords;
          keywords
            .row(KEYWORD_COLUMNS.length)
            .text(botId)
            .text(chunk.documentId)
            .int4(chunk.chunkIndex)
            .tsvector(entry.lexemes)
            .int4(entry.tokenCount);
        }
        await session.copyFromBinary("chunk_keywords", KEYWORD_COLUMNS, keywords.finish());
        await session.query(
          `INSERT INTO keyword_postings AS p (bot_id, term, document_id, chunk_indexes, term_frequencies, token_counts)
           SELECT $1, t, d, c, f, n FROM jsonb_to_recordset($2::jsonb) AS r(t text, d text, c int[], f int[], n int[])
           ON CONFLICT (bot_id, term, document_id) DO UPDATE SET
             chunk_indexes = p.chunk_indexes || excluded.chunk_indexes,
             term_frequencies = p.term_frequencies || excluded.term_frequencies,
             token_counts = p.token_counts || excluded.token_counts`,
          [botId, JSON.stringify(postingRows(batch, entries))],
        );
      }
    });
  }

  async search(botId: string, embedding: readonly number[], options: VectorSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    this.#assertEmbedding(embedding);
    const topK = Math.max(1, Math.min(1_000, Math.floor(options.topK)));
    // pgvector's binary form: `pg` sends a Buffer parameter in binary, and so does PGlite for
    // `vector` (see `openDatabase`); as text PGlite took 1.4–1.9 ms to parse a 1024-dim vector
    const vector = binaryVector(embedding);
    const route = await this.#route(botId).catch(rethrowUnavailable);
    const rows = await (route.through === "index"
      ? this.#candidateSearch(botId, vector, metadataFilter(options.filter), topK, route.efSearch)
      : this.#exactSearch(botId, vector, filterJson(options.filter), topK)
    )
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
   * Exact unless the bot's index is valid and, measured, reached the policy's `minRecall`; then
   * at the higher of the policy's and the measured `ef_search`. An index nobody has measured yet
   * (being measured, or built before migration 0020) gets measured now, in the background.
   */
  async #route(botId: string): Promise<SearchRoute> {
    const state = await this.#indexState(botId);
    if (state.index === "valid" && state.calibration === undefined && this.#policy.minRecall > 0) {
      // at most once per state period: a measurement that failed, or was left to another process, waits as long
      const last = this.#unmeasuredSeen.get(botId);
      if (last === undefined || Date.now() - last >= INDEX_STATE_TTL_MS) {
        this.#unmeasuredSeen.set(botId, Date.now());
        this.#inBackground(botId, () => this.#calibrate(botId, { wait: false }));
      }
    }
    return this.#routeOf(state);
  }

  #routeOf({ index, calibration }: IndexState): SearchRoute {
    if (index !== "valid") return EXACT;
    if (this.#policy.minRecall === 0) return { through: "index", efSearch: this.#policy.efSearch };
    if (calibration === undefined || calibration.search === "exact") return EXACT;
    return { through: "index", efSearch: Math.max(this.#policy.efSearch, calibration.efSearch) };
  }

  /** `nearest_chunks` (migration 0018); its rows are ordered, the ORDER BY only says so. */
  async #exactSearch(
    botId: string,
    vector: Buffer,
    filter: string | null,
    topK: number,
  ): Promise<(ChunkRow & { distance: number })[]> {
    const { rows } = await sql<ChunkRow & { distance: number }>`
      SELECT document_id, chunk_index, content, metadata, distance
      FROM nearest_chunks(${botId}, ${vector}::vector, ${topK}, ${filter}::jsonb)
      ORDER BY distance, document_id, chunk_index`.execute(this.#database.db);
    return rows;
  }

  /**
   * Through the bot's HNSW index: `topK × candidateFactor` candidates at this `ef_search`
   * (iterative, so a metadata filter still yields them), re-ranked on the exact distance.
   * `SET LOCAL` (`set_config(…, true)`) keeps the settings to this transaction.
   */
  async #candidateSearch(
    botId: string,
    vector: Buffer,
    filter: RawBuilder<unknown>,
    topK: number,
    efSearch: number,
  ): Promise<(ChunkRow & { distance: number })[]> {
    const candidates = Math.min(1_000, topK * this.#policy.candidateFactor);
    return this.#database.db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('hnsw.ef_search', ${String(Math.max(efSearch, candidates))}, true),
                       set_config('hnsw.iterative_scan', 'relaxed_order', true)`.execute(trx);
      const { rows } = await sql<ChunkRow & { distance: number }>`
        WITH candidates AS MATERIALIZED (
          SELECT ctid AS row_id, document_id, chunk_index, embedding <=> ${vector}::vector AS distance
          FROM document_embeddings
          WHERE bot_id = ${botId} ${filter}
          ORDER BY distance
          LIMIT ${candidates}
        ), nearest AS MATERIALIZED (
          SELECT * FROM candidates ORDER BY distance, document_id, chunk_index LIMIT ${topK}
        )
        -- content read by ctid once ranked: ~1 KB a row kept out of the sort (same snapshot)
        SELECT n.document_id, n.chunk_index, e.content, e.metadata, n.distance
        FROM nearest n
        JOIN document_embeddings e ON e.ctid = n.row_id
        ORDER BY n.distance, n.document_id, n.chunk_index`.execute(trx);
      return rows;
    });
  }

  /**
   * BM25 over the bot's keyword index, computed in one statement (`keyword_chunks`, migration
   * 0019, run on a generic plan) from the postings of the query terms (`keyword_postings`, kept by
   * triggers on `chunk_keywords`, migration 0016): per term and document the chunks holding it,
   * their term frequencies and token counts. Document frequencies are the posting counts; the
   * bot's chunk count and mean length come from `keyword_statistics` (migration 0014). Without a
   * metadata filter only the top k are joined to their chunk rows for content; with one, each
   * chunk keeps the score it has without it.
   */
  async keywordSearch(botId: string, query: string, options: KeywordSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    const terms = keywordQueryTerms(query);
    if (terms.length === 0) return [];
    const topK = Math.max(1, Math.min(1_000, Math.floor(options.topK)));
    // keyword_chunks (migration 0019); its rows are ordered, the ORDER BY only says so
    const { rows } = await sql<ChunkRow & { score: number }>`
      SELECT document_id, chunk_index, content, metadata, score
      FROM keyword_chunks(${botId}, ${terms}::text[], ${topK}, ${filterJson(options.filter)}::jsonb,
                          ${BM25_K1}::float8, ${BM25_B}::float8)
      ORDER BY score DESC, document_id, chunk_index`
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
   * large for exact search; its searches then follow the policy's candidate search. Idempotent.
   */
  async createBotHnswIndex(botId: string, options: HnswIndexOptions = {}): Promise<string> {
    await this.#builds.get(botId);
    await this.#build(botId, {
      m: options.m ?? this.#policy.m,
      efConstruction: options.efConstruction ?? this.#policy.efConstruction,
      concurrently: options.concurrently ?? true,
    });
    await this.#calibrate(botId, { wait: true });
    return botHnswIndexName(botId);
  }

  /**
   * The bot's index as an operator sees it: its chunk count, whether it has an index (`building`:
   * a concurrent build running; `failed`: one that stopped, rebuilt on the next upload or build),
   * and what measuring it found.
   */
  async indexStatus(botId: string, options?: CallOptions): Promise<BotIndexStatus> {
    options?.signal?.throwIfAborted();
    const state = await this.#indexState(botId, { fresh: true });
    const { index } = state;
    const building =
      index === "invalid" &&
      (
        await sql<{ building: boolean }>`
          SELECT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p JOIN pg_class c ON c.oid = p.index_relid
                         WHERE c.relname = ${botHnswIndexName(botId)}) AS building`.execute(this.#database.db)
      ).rows[0]?.building === true;
    const calibration = index === "valid" ? await this.hnswCalibration(botId, options) : undefined;
    return {
      chunks: await this.countChunks(botId, options),
      index: index === "invalid" ? (building ? "building" : "failed") : index,
      searches: this.#routeOf(state),
      ...(calibration !== undefined && { calibration }),
    };
  }

  /** What measuring the bot's index found (undefined: no index, or not measured yet). */
  async hnswCalibration(botId: string, options?: CallOptions): Promise<HnswCalibration | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.#database.db
      .selectFrom("hnsw_calibrations")
      .selectAll()
      .where("bot_id", "=", botId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      search: row.search,
      efSearch: row.ef_search,
      recall: row.recall,
      exactP50Ms: row.exact_p50_ms,
      rungs: fromStoredJson(row.rungs) as CalibrationRung[],
      queries: row.queries,
      chunks: row.chunks,
      measuredAt: row.measured_at,
    };
  }

  /**
   * One process measures a bot's index at a time (a session advisory lock, on PostgreSQL): one that
   * finds the index unmeasured while another measures it leaves it to that one (`wait: false`);
   * after a build of its own, a process waits for the lock and measures.
   */
  async #calibrate(botId: string, options: { readonly wait: boolean }): Promise<void> {
    if (this.#policy.minRecall === 0) return;
    if (this.#database.dialect !== "postgres") return this.#measure(botId);
    const key = sql`hashtextextended(${calibrationLockName(botId)}, 0)`;
    await this.#database.db.connection().execute(async (session) => {
      if (options.wait) await sql`SELECT pg_advisory_lock(${key})`.execute(session);
      else {
        const { rows } = await sql<{ locked: boolean }>`SELECT pg_try_advisory_lock(${key}) AS locked`.execute(session);
        if (rows[0]?.locked !== true) return;
      }
      try {
        await this.#measure(botId);
      } finally {
        await sql`SELECT pg_advisory_unlock(${key})`.execute(session);
      }
    });
  }

  /**
   * Measures the bot's index (see `hnsw-calibration.ts`) and stores what it chose, for every
   * process: queries near `calibrationQueries` of its chunks, picked by a hash of their keys (the
   * same ones each time, spread over the documents).
   */
  async #measure(botId: string): Promise<void> {
    const chunks = await this.countChunks(botId);
    const { rows } = await sql<{ document_id: string; chunk_index: number; embedding: number[] | string }>`
      SELECT document_id, chunk_index, embedding FROM document_embeddings
      WHERE bot_id = ${botId}
      ORDER BY hashtext(document_id || '#' || chunk_index), document_id, chunk_index
      LIMIT ${this.#policy.calibrationQueries}`.execute(this.#database.db);
    const keyOf = (r: { document_id: string; chunk_index: number }) => `${r.document_id}#${r.chunk_index}`;
    const measured = await calibrate(
      {
        queries: rows.map((r, i) =>
          binaryVector(
            queryNear(
              typeof r.embedding === "string" ? (pgvector.fromSql(r.embedding) as number[]) : r.embedding,
              i + 1,
            ),
          ),
        ),
        exact: async (query, k) => (await this.#exactSearch(botId, query, null, k)).map(keyOf),
        throughIndex: async (query, k, efSearch) =>
          (await this.#candidateSearch(botId, query, sql``, k, efSearch)).map(keyOf),
      },
      { minRecall: this.#policy.minRecall, efSearch: this.#policy.efSearch, maxEfSearch: this.#policy.maxEfSearch },
    );
    const row = {
      search: measured.search,
      ef_search: measured.efSearch,
      recall: measured.recall,
      exact_p50_ms: measured.exactP50Ms,
      rungs: toJsonb(measured.rungs),
      queries: measured.queries,
      chunks,
      measured_at: new Date(),
    };
    await this.#database.db
      .insertInto("hnsw_calibrations")
      .values({ bot_id: botId, ...row })
      .onConflict((oc) => oc.column("bot_id").doUpdateSet(row))
      .execute()
      .catch(botNotFoundOnForeignKey(botId));
    this.#indexStates.delete(botId);
  }

  /** Drops a bot's HNSW index: its searches are exact again (until the policy builds it anew). */
  async dropBotHnswIndex(botId: string): Promise<void> {
    await this.#builds.get(botId);
    await this.#dropIndex(botId, { concurrently: false });
  }

  /**
   * Reads (or recalls, for {@link INDEX_STATE_TTL_MS}) whether the bot's index exists and is
   * usable, and what measuring it chose.
   */
  async #indexState(botId: string, options: { fresh?: boolean } = {}): Promise<IndexState> {
    const known = this.#indexStates.get(botId);
    if (!options.fresh && known && Date.now() - known.checkedAt < INDEX_STATE_TTL_MS) return known.state;
    const { rows } = await sql<{
      valid: boolean;
      search: "index" | "exact" | null;
      ef_search: number | null;
      chunks: number | null;
    }>`
      SELECT i.indisvalid AS valid, h.search, h.ef_search, h.chunks
      FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
      LEFT JOIN hnsw_calibrations h ON h.bot_id = ${botId}
      WHERE c.relname = ${botHnswIndexName(botId)}`
      .execute(this.#database.db)
      .catch(rethrowUnavailable);
    const row = rows[0];
    const state: IndexState =
      row === undefined
        ? { index: "none" }
        : {
            index: row.valid ? "valid" : "invalid",
            ...(row.search !== null && {
              calibration: { search: row.search, efSearch: Number(row.ef_search), chunks: Number(row.chunks) },
            }),
          };
    this.#indexStates.set(botId, { state, checkedAt: Date.now() });
    return state;
  }

  async #build(
    botId: string,
    options: { readonly m: number; readonly efConstruction: number; readonly concurrently?: boolean },
  ): Promise<void> {
    const name = botHnswIndexName(botId);
    const concurrently = options.concurrently ?? this.#database.dialect === "postgres";
    // a session of its own: CREATE INDEX CONCURRENTLY cannot run in a transaction, and the
    // memory setting must not outlive the build on a pooled connection
    await this.#database.db.connection().execute(async (session) => {
      // a failed concurrent build leaves an invalid index that IF NOT EXISTS would keep forever
      const { rows: stale } = await sql<{ stale: boolean }>`
        SELECT NOT i.indisvalid AND NOT EXISTS (
          SELECT 1 FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid) AS stale
        FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = ${name}`.execute(session);
      if (stale[0]?.stale) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(session);
      await sql`SET maintenance_work_mem = ${sql.lit(`${this.#policy.buildMemoryMb}MB`)}`.execute(session);
      try {
        await sql`
          CREATE INDEX ${concurrently ? sql`CONCURRENTLY` : sql``} IF NOT EXISTS ${sql.id(name)}
          ON document_embeddings
          USING hnsw (embedding vector_cosine_ops)
          WITH (m = ${sql.lit(Math.floor(options.m))}, ef_construction = ${sql.lit(Math.floor(options.efConstruction))})
          WHERE bot_id = ${sql.lit(botId)}`.execute(session);
      } finally {
        await sql`RESET maintenance_work_mem`.execute(session);
      }
    });
    this.#indexStates.delete(botId);
  }

  async #dropIndex(botId: string, options: { readonly concurrently?: boolean } = {}): Promise<void> {
    const concurrently = options.concurrently ?? this.#database.dialect === "postgres";
    // the measurement first: an index built anew is measured anew, and searches stay exact meanwhile
    await this.#database.db.deleteFrom("hnsw_calibrations").where("bot_id", "=", botId).execute();
    await sql`DROP INDEX ${concurrently ? sql`CONCURRENTLY` : sql``} IF EXISTS ${sql.id(botHnswIndexName(botId))}`.execute(
      this.#database.db,
    );
    this.#indexStates.set(botId, { state: { index: "none" }, checkedAt: Date.now() });
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

/**
 * The `keyword_postings` rows of a batch of chunks (migration 0016): per document and term, the
 * chunks holding it with its frequency and their token counts, as `jsonb_to_recordset` input.
 */
function postingRows(chunks: readonly ChunkRecord[], entries: readonly ChunkKeywords[]) {
  const rows = new Map<string, { t: string; d: string; c: number[]; f: number[]; n: number[] }>();
  for (const [i, chunk] of chunks.entries()) {
    const entry = entries[i] as ChunkKeywords;
    for (const [term, frequency] of entry.lexemes) {
      const key = `${chunk.documentId}\0${term}`;
      let row = rows.get(key);
      if (row === undefined) {
        row = { t: term, d: chunk.documentId, c: [], f: [], n: [] };
        rows.set(key, row);
      }
      row.c.push(chunk.chunkIndex);
      row.f.push(frequency);
      row.n.push(entry.tokenCount);
    }
  }
  return [...rows.values()];
}

/** A non-empty metadata filter as stored JSON, else null (no filter). */
function filterJson(filter: Readonly<Record<string, unknown>> | undefined): string | null {
  return filter && Object.keys(filter).length > 0 ? toJsonb(filter) : null;
}

/** `AND metadata @> filter` for a non-empty metadata filter, nothing otherwise. */
function metadataFilter(filter: Readonly<Record<string, unknown>> | undefined) {
  const json = filterJson(filter);
  return json === null ? sql`` : sql`AND metadata @> ${json}::jsonb`;
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

/** pgvector's binary `vector`: int16 dimensions, int16 unused, then big-endian float4 values. */
export function binaryVector(values: readonly number[]): Buffer {
  const bytes = Buffer.allocUnsafe(4 + 4 * values.length);
  bytes.writeInt16BE(values.length, 0);
  bytes.writeInt16BE(0, 2);
  for (let i = 0; i < values.length; i++) bytes.writeFloatBE(values[i] as number, 4 + 4 * i);
  return bytes;
}

/** The advisory lock (by `hashtextextended(name, 0)`) a process holds while it measures the bot's index. */
export function calibrationLockName(botId: string): string {
  return `portflow.hnsw-calibration:${botId}`;
}

/** Name of the per-bot HNSW index (bot ids are hashed: index names are limited to 63 bytes). */
export function botHnswIndexName(botId: string): string {
  return `document_embeddings_hnsw_${createHash("sha256").update(botId).digest("hex").slice(0, 16)}`;
}
