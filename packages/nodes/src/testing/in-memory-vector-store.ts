import {
  bm25TermScore,
  type CallOptions,
  type ChunkRecord,
  type KeywordSearchOptions,
  keywordQueryTerms,
  keywordTokens,
  type RetrievedChunk,
  type VectorSearchOptions,
  type VectorStore,
} from "@portflow/engine";
import { jsonbContains } from "./jsonb-contains.ts";

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Metadata as a jsonb column would hand it back: a JSON copy (bigints as strings). */
function asStoredJson(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "{}");
}

/** Options of {@link InMemoryVectorStore}. */
export interface InMemoryVectorStoreOptions {
  /** Embedding length every chunk and query must have (default: the first upserted chunk's). */
  readonly dimensions?: number;
}

/**
 * A VectorStore in memory that behaves as `PgVectorStore` does — exact cosine search per bot, a
 * metadata filter with jsonb containment (`@>`) semantics, RangeError for an embedding of the
 * wrong length — checked by the shared `vectorStoreContract` of `@portflow/engine/testing`.
 * A reference for tests and examples; `failNextUpsert` lets tests exercise rollback.
 */
export class InMemoryVectorStore implements VectorStore {
  readonly #chunks = new Map<string, Map<string, ChunkRecord>>();
  /** Term frequencies and token count per chunk, keyed like `#chunks`. */
  readonly #terms = new Map<string, { readonly tf: Map<string, number>; readonly length: number }>();
  /** When set, the next upsert writes the first `afterChunks` chunks and then throws. */
  failNextUpsert: { afterChunks: number; error?: Error } | undefined;
  #dimensions: number | undefined;

  constructor(options: InMemoryVectorStoreOptions = {}) {
    this.#dimensions = options.dimensions;
  }

  async upsert(botId: string, chunks: readonly ChunkRecord[], options: CallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (chunks.length === 0) return;
    this.#dimensions ??= chunks[0]?.embedding.length;
    for (const chunk of chunks) this.#assertEmbedding(chunk.embedding);
    const bot = this.#chunks.get(botId) ?? new Map<string, ChunkRecord>();
    this.#chunks.set(botId, bot);
    const failure = this.failNextUpsert;
    this.failNextUpsert = undefined;
    for (const [i, chunk] of chunks.entries()) {
      if (failure && i >= failure.afterChunks) throw failure.error ?? new Error("vector store is unavailable");
      const key = `${chunk.documentId}#${chunk.chunkIndex}`;
      bot.set(key, { ...chunk, metadata: asStoredJson(chunk.metadata ?? {}), embedding: [...chunk.embedding] });
      const tokens = keywordTokens(chunk.content);
      const tf = new Map<string, number>();
      for (const token of tokens) tf.set(token, (tf.get(token) ?? 0) + 1);
      this.#terms.set(`${botId}\0${key}`, { tf, length: tokens.length });
    }
  }

  async search(botId: string, embedding: readonly number[], options: VectorSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    this.#assertEmbedding(embedding);
    // As in SQL: the filter is sent as jsonb (a JSON copy), topK is a LIMIT of 1..1000.
    const filter = options.filter === undefined ? undefined : asStoredJson(options.filter);
    const topK = Math.max(1, Math.min(1_000, Math.floor(options.topK)));
    const results: RetrievedChunk[] = [];
    for (const chunk of this.#chunks.get(botId)?.values() ?? []) {
      if (filter && !jsonbContains(chunk.metadata, filter)) continue;
      const score = cosine(chunk.embedding, embedding);
      if (options.scoreThreshold !== undefined && score < options.scoreThreshold) continue;
      const { embedding: _omit, ...rest } = chunk;
      results.push({ ...rest, metadata: asStoredJson(rest.metadata), score });
    }
    return results
      .sort((a, b) => b.score - a.score || a.documentId.localeCompare(b.documentId) || a.chunkIndex - b.chunkIndex)
      .slice(0, topK);
  }

  async keywordSearch(botId: string, query: string, options: KeywordSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    const terms = keywordQueryTerms(query);
    const bot = [...(this.#chunks.get(botId)?.entries() ?? [])].map(([key, chunk]) => ({
      chunk,
      terms: this.#terms.get(`${botId}\0${key}`) ?? { tf: new Map<string, number>(), length: 0 },
    }));
    if (terms.length === 0 || bot.length === 0) return [];
    const filter = options.filter === undefined ? undefined : asStoredJson(options.filter);
    const topK = Math.max(1, Math.min(1_000, Math.floor(options.topK)));
    // as in SQL: n, df and the mean length count every chunk of the bot, filtered or not
    const averageLength = bot.reduce((sum, c) => sum + c.terms.length, 0) / bot.length;
    const df = new Map(terms.map((t) => [t, bot.filter((c) => c.terms.tf.has(t)).length]));
    const results: RetrievedChunk[] = [];
    for (const { chunk, terms: stats } of bot) {
      if (filter && !jsonbContains(chunk.metadata, filter)) continue;
      let score = 0;
      for (const term of terms) {
        const tf = stats.tf.get(term);
        if (tf !== undefined) score += bm25TermScore(bot.length, df.get(term) ?? 0, tf, stats.length, averageLength);
      }
      if (score <= 0) continue;
      const { embedding: _omit, ...rest } = chunk;
      results.push({ ...rest, metadata: asStoredJson(rest.metadata), score });
    }
    return results
      .sort((a, b) => b.score - a.score || a.documentId.localeCompare(b.documentId) || a.chunkIndex - b.chunkIndex)
      .slice(0, topK);
  }

  async deleteDocument(botId: string, documentId: string, options: CallOptions = {}): Promise<number> {
    options.signal?.throwIfAborted();
    const bot = this.#chunks.get(botId);
    if (!bot) return 0;
    let removed = 0;
    for (const [key, chunk] of bot) {
      if (chunk.documentId === documentId) {
        bot.delete(key);
        this.#terms.delete(`${botId}\0${key}`);
        removed++;
      }
    }
    return removed;
  }

  /** How many chunks one bot holds (all bots when omitted). */
  count(botId?: string): number {
    if (botId !== undefined) return this.#chunks.get(botId)?.size ?? 0;
    let n = 0;
    for (const bot of this.#chunks.values()) n += bot.size;
    return n;
  }

  #assertEmbedding(embedding: readonly number[]): void {
    const expected = this.#dimensions;
    if (expected !== undefined && embedding.length !== expected) {
      throw new RangeError(`embedding has ${embedding.length} dimensions, the store holds ${expected}`);
    }
    for (const v of embedding) {
      if (!Number.isFinite(v)) throw new RangeError("embedding values must be finite numbers");
    }
  }
}
