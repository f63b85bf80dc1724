import { BaseNodeV2, type NodeContext, type NodePortSchema, type NodeRunResult, Services } from "@portflow/engine";
import { z } from "zod";
import {
  type ChunkRanking,
  DEFAULT_KEYWORD_WEIGHT,
  DEFAULT_RRF_K,
  DEFAULT_VECTOR_WEIGHT,
} from "../retrieval/reciprocal-rank-fusion.ts";
import { type RankedChunk, retrieveChunks } from "../retrieval/retrieve-chunks.ts";
import { formatContext, type RetrievedDocument } from "../retrieved-document.ts";

const knowledgeConfigSchema = z.strictObject({
  /** How many chunks to return at most. */
  top_k: z.number().int().min(1).max(100).default(5),
  /** Drop chunks whose cosine similarity is below this. */
  score_threshold: z.number().min(-1).max(1).default(0),
  /** Exact-match filter on chunk metadata (e.g. `{ "filename": "faq.pdf" }`). */
  filter: z.record(z.string(), z.unknown()).optional(),
  /** `vector` (embeddings), `keyword` (BM25 over words and Hangul/CJK bigrams) or both fused. */
  search: z.enum(["vector", "keyword", "hybrid"]).default("hybrid"),
  /** Depth of each ranking before fusion or rerank (raised to top_k when smaller). */
  candidates: z.number().int().min(1).max(200).default(20),
  /** Reciprocal rank fusion for `hybrid`: score = Σ weight / (k + rank). */
  fusion: z
    .object({
      k: z.number().min(0).max(1_000).default(DEFAULT_RRF_K),
      vector_weight: z.number().min(0).max(100).default(DEFAULT_VECTOR_WEIGHT),
      keyword_weight: z.number().min(0).max(100).default(DEFAULT_KEYWORD_WEIGHT),
    })
    .strict()
    .optional(),
  /** Re-orders the candidates with a rerank model (Amazon Bedrock Rerank) and returns its `top_n` best. */
  rerank: z
    .object({
      /** `amazon.rerank-v1:0`, `cohere.rerank-v3-5:0` or a model ARN. */
      model: z.string().trim().min(1).max(512),
      /** Chunks returned after rerank (default top_k). */
      top_n: z.number().int().min(1).max(100).optional(),
    })
    .strict()
    .optional(),
});

/** Config of the `knowledge` node. */
export type KnowledgeConfig = z.output<typeof knowledgeConfigSchema>;

/** Inputs of the `knowledge` node. */
export interface KnowledgeInputs extends Record<string, unknown> {
  readonly query: string;
}

/** Outputs of the `knowledge` node. */
export interface KnowledgeOutputs extends Record<string, unknown> {
  readonly documents: RetrievedDocument[];
  /** Numbered, citable text: `[1] (file.pdf p.3) …`. */
  readonly context: string;
}

/** Raised when a knowledge search cannot be scoped to a bot. */
export class MissingBotIdError extends Error {
  override readonly name = "MissingBotIdError";
  readonly code = "MISSING_BOT_ID";
}

/**
 * `knowledge`: finds the chunks of `sys.bot_id` for `query` — by embedding similarity, by
 * keywords (BM25) or both fused by reciprocal rank fusion (`search`, default `hybrid`), then
 * optionally reranked — and records every candidate's place in each ranking in process data.
 * No match is a normal outcome (empty `documents`, empty `context`).
 *
 * @example
 * // workflow JSON
 * { "id": "retrieve", "type": "knowledge", "config": { "top_k": 5, "score_threshold": 0.2 },
 *   "variable_mappings": [{ "target_port": "query", "selector": ["start", "query"] }] }
 */
export class KnowledgeNode extends BaseNodeV2<KnowledgeConfig, KnowledgeInputs, KnowledgeOutputs> {
  readonly type = "knowledge";
  override readonly description = "Retrieves the bot's document chunks most similar to the query.";
  readonly configSchema = knowledgeConfigSchema;

  ports(): NodePortSchema {
    return {
      inputs: [{ name: "query", type: "string", required: true, description: "Text to search for." }],
      outputs: [
        { name: "documents", type: "documents", description: "Chunks with content, score, metadata, ids." },
        { name: "context", type: "string", description: "Numbered, citable context text." },
      ],
    };
  }

  async run(inputs: KnowledgeInputs, ctx: NodeContext<KnowledgeConfig>): Promise<NodeRunResult<KnowledgeOutputs>> {
    const botId = ctx.system.bot_id;
    if (typeof botId !== "string" || botId === "") {
      throw new MissingBotIdError(
        `knowledge node "${ctx.nodeId}" needs sys.bot_id to scope its search; run the workflow with system.bot_id set`,
      );
    }
    if (typeof inputs.query !== "string") {
      throw new TypeError(`knowledge node "${ctx.nodeId}": input "query" must be a string`);
    }
    const query = inputs.query.trim();
    const { top_k, score_threshold, filter } = ctx.config;
    const base = { query, bot_id: botId, top_k, score_threshold, ...(filter ? { filter } : {}) };
    if (query === "") {
      return {
        outputs: { documents: [], context: "" },
        processData: { ...base, embed_ms: 0, search_ms: 0, result_count: 0, note: "empty query: nothing searched" },
      };
    }
    const { search, candidates, fusion, rerank } = ctx.config;
    const embedder = search === "keyword" ? undefined : ctx.services.resolve(Services.Embedder);
    const result = await retrieveChunks(
      {
        store: ctx.services.resolve(Services.VectorStore),
        ...(embedder ? { embedder } : {}),
        ...(rerank ? { reranker: ctx.services.resolve(Services.Reranker) } : {}),
      },
      botId,
      query,
      {
        search,
        topK: top_k,
        candidates,
        scoreThreshold: score_threshold,
        ...(filter ? { filter } : {}),
        ...(fusion
          ? { fusion: { k: fusion.k, vectorWeight: fusion.vector_weight, keywordWeight: fusion.keyword_weight } }
          : {}),
        ...(rerank ? { rerank: { model: rerank.model, ...(rerank.top_n ? { topN: rerank.top_n } : {}) } } : {}),
        signal: ctx.signal,
      },
    );

    const documents: RetrievedDocument[] = result.chunks.map((c) => ({
      content: c.content,
      score: c.score,
      metadata: c.metadata,
      document_id: c.documentId,
      chunk_index: c.chunkIndex,
    }));
    const returned = new Map(result.chunks.map((c, i) => [`${c.documentId}\0${c.chunkIndex}`, i + 1]));
    return {
      outputs: { documents, context: formatContext(documents) },
      processData: {
        ...base,
        search,
        ...(search === "hybrid"
          ? {
              fusion: fusion ?? {
                k: DEFAULT_RRF_K,
                vector_weight: DEFAULT_VECTOR_WEIGHT,
                keyword_weight: DEFAULT_KEYWORD_WEIGHT,
              },
            }
          : {}),
        ...(rerank ? { rerank } : {}),
        ...(embedder ? { embedding_model: embedder.model } : {}),
        embed_ms: result.embedMs,
        search_ms: round(result.vectorMs + result.keywordMs),
        vector_ms: result.vectorMs,
        keyword_ms: result.keywordMs,
        ...(rerank ? { rerank_ms: result.rerankMs } : {}),
        result_count: documents.length,
        embedding_tokens: result.embeddingTokens,
        // why each candidate won or lost: its place in every ranking, and in the answer
        rankings: result.candidates.map((c) => rankingRecord(c, returned.get(`${c.documentId}\0${c.chunkIndex}`))),
      },
    };
  }
}

function rankingRecord(c: RankedChunk, finalRank: number | undefined) {
  const place = (r: ChunkRanking | undefined) => (r ? { rank: r.rank, score: roundScore(r.score) } : null);
  return {
    document_id: c.documentId,
    chunk_index: c.chunkIndex,
    vector: place(c.vector),
    keyword: place(c.keyword),
    fused: place(c.fused),
    ...(c.rerank !== undefined ? { rerank: place(c.rerank) } : {}),
    final_rank: finalRank ?? null,
  };
}

function roundScore(score: number): number {
  return Math.round(score * 1e6) / 1e6;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
