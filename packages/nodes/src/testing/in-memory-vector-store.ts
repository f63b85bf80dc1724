import type { CallOptions, ChunkRecord, RetrievedChunk, VectorSearchOptions, VectorStore } from "@portflow/engine";

function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`embedding has ${b.length} dimensions, the store holds ${a.length}`);
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

function matches(metadata: Readonly<Record<string, unknown>>, filter: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(filter).every(([key, value]) => JSON.stringify(metadata[key]) === JSON.stringify(value));
}

/**
 * A VectorStore in memory: exact cosine search per bot, exact-match metadata filter.
 * A reference for tests and examples; `failNextUpsert` lets tests exercise rollback.
 */
export class InMemoryVectorStore implements VectorStore {
  readonly #chunks = new Map<string, Map<string, ChunkRecord>>();
  /** When set, the next upsert writes the first `afterChunks` chunks and then throws. */
  failNextUpsert: { afterChunks: number; error?: Error } | undefined;

  async upsert(botId: string, chunks: readonly ChunkRecord[], options: CallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const bot = this.#chunks.get(botId) ?? new Map<string, ChunkRecord>();
    this.#chunks.set(botId, bot);
    const failure = this.failNextUpsert;
    this.failNextUpsert = undefined;
    for (const [i, chunk] of chunks.entries()) {
      if (failure && i >= failure.afterChunks) throw failure.error ?? new Error("vector store is unavailable");
      bot.set(`${chunk.documentId}#${chunk.chunkIndex}`, { ...chunk, embedding: [...chunk.embedding] });
    }
  }

  async search(botId: string, embedding: readonly number[], options: VectorSearchOptions): Promise<RetrievedChunk[]> {
    options.signal?.throwIfAborted();
    const results: RetrievedChunk[] = [];
    for (const chunk of this.#chunks.get(botId)?.values() ?? []) {
      if (options.filter && !matches(chunk.metadata, options.filter)) continue;
      const score = cosine(chunk.embedding, embedding);
      if (options.scoreThreshold !== undefined && score < options.scoreThreshold) continue;
      const { embedding: _omit, ...rest } = chunk;
      results.push({ ...rest, score });
    }
    return results
      .sort((a, b) => b.score - a.score || a.documentId.localeCompare(b.documentId) || a.chunkIndex - b.chunkIndex)
      .slice(0, options.topK);
  }

  async deleteDocument(botId: string, documentId: string, options: CallOptions = {}): Promise<number> {
    options.signal?.throwIfAborted();
    const bot = this.#chunks.get(botId);
    if (!bot) return 0;
    let removed = 0;
    for (const [key, chunk] of bot) {
      if (chunk.documentId === documentId) {
        bot.delete(key);
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
}
