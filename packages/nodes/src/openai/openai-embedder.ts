import type { CallOptions, Embedder, EmbeddingResult } from "@portflow/engine";
import type OpenAI from "openai";
import { z } from "zod";
import { ProviderError } from "../provider-error.ts";
import { openAiError } from "./openai-error.ts";

/** The default embedding model. */
export const DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small";

/** Options of {@link OpenAiEmbedder}. */
export interface OpenAiEmbedderOptions {
  readonly client: OpenAI;
  /** Default {@link DEFAULT_OPENAI_EMBEDDING_MODEL}. */
  readonly model?: string;
  /**
   * Vector size, sent as `dimensions` (text-embedding-3 models shorten to it). A server that ignores
   * it must return exactly this size, or embedding fails naming both. Default 1024 (Titan v2's).
   */
  readonly dimensions?: number;
  /** Texts per request. Default 128. */
  readonly batchSize?: number;
}

const responseSchema = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.looseObject({ prompt_tokens: z.number().int().nonnegative() }).optional(),
});

/**
 * Embeddings from an OpenAI-compatible `/embeddings` endpoint, in batches, in input order. Every
 * vector must have {@link OpenAiEmbedder.dimensions} numbers: a bot's vectors all come from one
 * embedder of one size, so a server answering another size is an error, never stored.
 *
 * @example
 * const embedder = new OpenAiEmbedder({ client: createOpenAiClient({ apiKey }), dimensions: 1024 });
 * const { vectors } = await embedder.embed(["hello"], { signal });
 */
export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: number;
  readonly #client: OpenAI;
  readonly #batchSize: number;

  constructor(options: OpenAiEmbedderOptions) {
    this.#client = options.client;
    this.model = options.model ?? DEFAULT_OPENAI_EMBEDDING_MODEL;
    this.dimensions = options.dimensions ?? 1024;
    this.#batchSize = Math.max(1, Math.floor(options.batchSize ?? 128));
  }

  async embed(texts: readonly string[], options: CallOptions = {}): Promise<EmbeddingResult> {
    const vectors: number[][] = [];
    let inputTokens = 0;
    const operation = `embeddings ${this.model}`;
    for (let start = 0; start < texts.length; start += this.#batchSize) {
      options.signal?.throwIfAborted();
      const batch = texts.slice(start, start + this.#batchSize);
      let response: unknown;
      try {
        response = await this.#client.embeddings.create(
          { model: this.model, input: [...batch], dimensions: this.dimensions, encoding_format: "float" },
          options.signal ? { signal: options.signal } : {},
        );
      } catch (error) {
        options.signal?.throwIfAborted();
        throw openAiError(error, operation);
      }
      const parsed = responseSchema.safeParse(response);
      if (!parsed.success || parsed.data.data.length !== batch.length) {
        throw new ProviderError(
          `OpenAI ${operation} returned an unexpected response: ${
            parsed.success
              ? `${parsed.data.data.length} vectors for ${batch.length} texts`
              : z.prettifyError(parsed.error)
          }`,
          { provider: "openai", kind: "invalid_response" },
        );
      }
      const ordered = [...parsed.data.data].sort((a, b) => a.index - b.index);
      for (const item of ordered) {
        if (item.embedding.length !== this.dimensions) {
          throw new ProviderError(
            `OpenAI ${operation} returned ${item.embedding.length}-dimensional vectors, but this embedder is configured for ${this.dimensions} ` +
              "(OPENAI_EMBEDDING_DIMENSIONS); vectors of another size are never stored beside this bot's",
            { provider: "openai", kind: "invalid_response" },
          );
        }
        vectors.push(item.embedding);
      }
      inputTokens += parsed.data.usage?.prompt_tokens ?? 0;
    }
    return { vectors, inputTokens };
  }
}
