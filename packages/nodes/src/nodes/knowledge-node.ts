import { BaseNodeV2, type NodeContext, type NodePortSchema, type NodeRunResult, Services } from "@portflow/engine";
import { z } from "zod";
import { formatContext, type RetrievedDocument } from "../retrieved-document.ts";

const knowledgeConfigSchema = z
  .object({
    /** How many chunks to return at most. */
    top_k: z.number().int().min(1).max(100).default(5),
    /** Drop chunks whose cosine similarity is below this. */
    score_threshold: z.number().min(-1).max(1).default(0),
    /** Exact-match filter on chunk metadata (e.g. `{ "filename": "faq.pdf" }`). */
    filter: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

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
 * `knowledge`: embeds `query` with the run's Embedder and searches the VectorStore within
 * `sys.bot_id`. No match is a normal outcome (empty `documents`, empty `context`).
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
    const embedder = ctx.services.resolve(Services.Embedder);
    const store = ctx.services.resolve(Services.VectorStore);

    const embedStart = performance.now();
    const { vectors, inputTokens } = await embedder.embed([query], { signal: ctx.signal });
    const embedMs = performance.now() - embedStart;
    const embedding = vectors[0];
    if (!embedding) throw new Error(`knowledge node "${ctx.nodeId}": the embedder returned no vector`);

    const searchStart = performance.now();
    const chunks = await store.search(botId, embedding, {
      topK: top_k,
      scoreThreshold: score_threshold,
      ...(filter ? { filter } : {}),
      signal: ctx.signal,
    });
    const searchMs = performance.now() - searchStart;

    const documents: RetrievedDocument[] = chunks.map((c) => ({
      content: c.content,
      score: c.score,
      metadata: c.metadata,
      document_id: c.documentId,
      chunk_index: c.chunkIndex,
    }));
    return {
      outputs: { documents, context: formatContext(documents) },
      processData: {
        ...base,
        embedding_model: embedder.model,
        embed_ms: round(embedMs),
        search_ms: round(searchMs),
        result_count: documents.length,
        embedding_tokens: inputTokens,
      },
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
