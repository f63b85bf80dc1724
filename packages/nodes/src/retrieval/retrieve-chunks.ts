import type { Embedder, Reranker, RetrievedChunk, VectorStore } from "@portflow/engine";
import {
  type ChunkRanking,
  DEFAULT_KEYWORD_WEIGHT,
  DEFAULT_RRF_K,
  DEFAULT_VECTOR_WEIGHT,
  fuseRankings,
} from "./reciprocal-rank-fusion.ts";

/** How chunks are found: by embedding similarity, by keywords (BM25), or both fused. */
export type SearchMode = "vector" | "keyword" | "hybrid";

/** The search modes, in the order they are documented. */
export const SEARCH_MODES: readonly SearchMode[] = ["vector", "keyword", "hybrid"];

/** Options of {@link retrieveChunks}. */
export interface RetrievalOptions {
  readonly search: SearchMode;
  /** Chunks returned at most (without rerank). */
  readonly topK: number;
  /** Depth of each ranking before fusion or rerank (at least `topK`). Default 20. */
  readonly candidates?: number;
  /** Minimum cosine similarity for the vector ranking (keyword matches need none). */
  readonly scoreThreshold?: number;
  readonly filter?: Readonly<Record<string, unknown>>;
  /** Reciprocal rank fusion for `hybrid`. Defaults: k 60, both weights 1. */
  readonly fusion?: { readonly k?: number; readonly vectorWeight?: number; readonly keywordWeight?: number };
  /** Re-orders the fused candidates with a rerank model and returns its best `topN` (default `topK`). */
  readonly rerank?: { readonly model: string; readonly topN?: number };
  readonly signal?: AbortSignal;
}

/** What retrieval needs; `embedder` for vector and hybrid, `reranker` when rerank is asked for. */
export interface RetrievalServices {
  readonly store: VectorStore;
  readonly embedder?: Embedder;
  readonly reranker?: Reranker;
}

/** A chunk with its final score and its place in every ranking it appeared in. */
export interface RankedChunk extends RetrievedChunk {
  readonly vector?: ChunkRanking;
  readonly keyword?: ChunkRanking;
  /** Its reciprocal-rank-fusion place (`hybrid` only). */
  readonly fused?: ChunkRanking;
  readonly rerank?: ChunkRanking;
}

/** The chunks found, with timings and every candidate's rankings (for process data). */
export interface RetrievalResult {
  /** Best first; `score` is the deciding ranking's: rerank relevance, RRF, cosine or BM25. */
  readonly chunks: RankedChunk[];
  /** Every candidate considered, in fused (or single-ranking) order, returned or not. */
  readonly candidates: RankedChunk[];
  readonly embedMs: number;
  readonly vectorMs: number;
  readonly keywordMs: number;
  readonly rerankMs: number;
  readonly embeddingTokens: number;
}

/** Thrown when a retrieval option asks for a service that is not there. */
export class RetrievalSetupError extends Error {
  override readonly name = "RetrievalSetupError";
  readonly code = "RETRIEVAL_SETUP";
}

const elapsed = (start: number) => Math.round((performance.now() - start) * 100) / 100;

/**
 * Finds a bot's chunks for a query the way the `knowledge` node does: vector search (embed the
 * query, cosine), keyword search (BM25 over project-computed tokens) or both, fused by
 * reciprocal rank fusion; then optionally reranked. The two searches run concurrently.
 *
 * @example
 * const { chunks } = await retrieveChunks({ store, embedder }, botId, "환불 기간", { search: "hybrid", topK: 5 });
 */
export async function retrieveChunks(
  services: RetrievalServices,
  botId: string,
  query: string,
  options: RetrievalOptions,
): Promise<RetrievalResult> {
  const { search, topK, signal } = options;
  const depth = search === "hybrid" || options.rerank ? Math.max(topK, options.candidates ?? 20) : topK;
  const timings = { embedMs: 0, vectorMs: 0, keywordMs: 0, rerankMs: 0, embeddingTokens: 0 };
  const filter = options.filter ? { filter: options.filter } : {};

  const vectorSearch = async (): Promise<RetrievedChunk[]> => {
    if (search === "keyword") return [];
    const embedder = services.embedder;
    if (!embedder) throw new RetrievalSetupError(`search "${search}" needs an embedder`);
    let start = performance.now();
    const { vectors, inputTokens } = await embedder.embed([query], signal ? { signal } : {});
    timings.embedMs = elapsed(start);
    timings.embeddingTokens = inputTokens;
    const embedding = vectors[0];
    if (!embedding) throw new Error("the embedder returned no vector");
    start = performance.now();
    const hits = await services.store.search(botId, embedding, {
      topK: depth,
      ...(options.scoreThreshold !== undefined ? { scoreThreshold: options.scoreThreshold } : {}),
      ...filter,
      ...(signal ? { signal } : {}),
    });
    timings.vectorMs = elapsed(start);
    return hits;
  };
  const keywordSearch = async (): Promise<RetrievedChunk[]> => {
    if (search === "vector") return [];
    const start = performance.now();
    const hits = await services.store.keywordSearch(botId, query, {
      topK: depth,
      ...filter,
      ...(signal ? { signal } : {}),
    });
    timings.keywordMs = elapsed(start);
    return hits;
  };
  const [vectorHits, keywordHits] = await Promise.all([vectorSearch(), keywordSearch()]);

  const fusion = options.fusion ?? {};
  const fused = fuseRankings(
    [
      { chunks: vectorHits, weight: fusion.vectorWeight ?? DEFAULT_VECTOR_WEIGHT },
      { chunks: keywordHits, weight: fusion.keywordWeight ?? DEFAULT_KEYWORD_WEIGHT },
    ],
    fusion.k ?? DEFAULT_RRF_K,
  );
  let candidates: RankedChunk[] = fused.map((f, i) => {
    const [vector, keyword] = f.ranks;
    const deciding = search === "hybrid" ? f.score : f.chunk.score;
    return {
      ...f.chunk,
      score: deciding,
      ...(vector ? { vector } : {}),
      ...(keyword ? { keyword } : {}),
      ...(search === "hybrid" ? { fused: { rank: i + 1, score: f.score } } : {}),
    };
  });
  if (!options.rerank) return { chunks: candidates.slice(0, topK), candidates, ...timings };

  const reranker = services.reranker;
  if (!reranker) {
    throw new RetrievalSetupError(
      "rerank needs a rerank model provider (Bedrock: LLM_PROVIDER=bedrock); none is configured",
    );
  }
  candidates = candidates.slice(0, depth);
  if (candidates.length === 0) return { chunks: [], candidates, ...timings };
  const start = performance.now();
  const results = await reranker.rerank(
    {
      model: options.rerank.model,
      query,
      documents: candidates.map((c) => c.content),
      topN: Math.min(options.rerank.topN ?? topK, candidates.length),
    },
    signal ? { signal } : {},
  );
  timings.rerankMs = elapsed(start);
  const reranked = new Map(results.map((r, i) => [r.index, { rank: i + 1, score: r.relevanceScore }]));
  candidates = candidates.map((c, i) => {
    const rerank = reranked.get(i);
    return rerank ? { ...c, rerank } : c;
  });
  const chunks = results.flatMap((r) => {
    const c = candidates[r.index];
    return c ? [{ ...c, score: r.relevanceScore }] : [];
  });
  return { chunks, candidates, ...timings };
}
