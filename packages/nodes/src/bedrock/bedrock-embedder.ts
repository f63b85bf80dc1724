import { type BedrockRuntimeClient, InvokeModelCommand } from "@aws-sdk/client-bedrock-runtime";
import type { CallOptions, Embedder, EmbeddingResult } from "@portflow/engine";
import { z } from "zod";
import { BedrockError } from "./bedrock-error.ts";

/** Titan text embeddings v2 refuses inputs longer than this many characters. */
export const TITAN_MAX_INPUT_CHARS = 50_000;

/** Vector sizes Titan text embeddings v2 offers. */
export type TitanDimensions = 256 | 512 | 1024;

/** Options of {@link BedrockEmbedder}. */
export interface BedrockEmbedderOptions {
  readonly client: BedrockRuntimeClient;
  /** Default `amazon.titan-embed-text-v2:0`. */
  readonly model?: string;
  /** Default 1024. */
  readonly dimensions?: TitanDimensions;
  /** Ask Titan for unit-length vectors. Default true. */
  readonly normalize?: boolean;
  /** Calls in flight at once (Titan embeds one text per call). Default 4. */
  readonly concurrency?: number;
}

/** An input Titan would refuse: empty or over {@link TITAN_MAX_INPUT_CHARS}. Nothing was sent. */
export class EmbeddingInputError extends RangeError {
  override readonly name = "EmbeddingInputError";
  readonly code = "EMBEDDING_INPUT_INVALID";
  constructor(
    message: string,
    readonly index: number,
  ) {
    super(message);
  }
}

/**
 * Embeddings from Amazon Titan text embeddings v2 over Bedrock InvokeModel
 * (`{inputText, dimensions, normalize}` → `{embedding, inputTextTokenCount}`).
 * Titan embeds one text per call, so a batch runs with bounded concurrency; inputs are checked
 * before any call, and the first failure cancels the calls still queued.
 *
 * @example
 * const embedder = new BedrockEmbedder({ client: createBedrockClient({ region: "us-east-1" }) });
 * const { vectors } = await embedder.embed(["hello"], { signal });
 */
export class BedrockEmbedder implements Embedder {
  readonly model: string;
  readonly dimensions: TitanDimensions;
  readonly #client: BedrockRuntimeClient;
  readonly #normalize: boolean;
  readonly #concurrency: number;
  readonly #responseSchema: z.ZodType<{ embedding: number[]; inputTextTokenCount: number }>;

  constructor(options: BedrockEmbedderOptions) {
    this.#client = options.client;
    this.model = options.model ?? "amazon.titan-embed-text-v2:0";
    this.dimensions = options.dimensions ?? 1024;
    this.#normalize = options.normalize ?? true;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
    this.#responseSchema = z.object({
      embedding: z.array(z.number()).length(this.dimensions),
      inputTextTokenCount: z.number().int().nonnegative(),
    });
  }

  async embed(texts: readonly string[], options: CallOptions = {}): Promise<EmbeddingResult> {
    for (const [i, text] of texts.entries()) {
      if (text.trim() === "") throw new EmbeddingInputError(`text ${i} is empty; Titan cannot embed it`, i);
      if (text.length > TITAN_MAX_INPUT_CHARS) {
        throw new EmbeddingInputError(
          `text ${i} has ${text.length} characters; Titan embeddings accept at most ${TITAN_MAX_INPUT_CHARS}`,
          i,
        );
      }
    }
    options.signal?.throwIfAborted();
    const vectors = new Array<number[]>(texts.length);
    let inputTokens = 0;
    const batch = new AbortController();
    const onAbort = () => batch.abort(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let next = 0;
    let firstError: unknown;
    let failed = false;
    const worker = async () => {
      while (next < texts.length && !failed) {
        const i = next++;
        const { embedding, tokens } = await this.#embedOne(texts[i] as string, batch.signal);
        vectors[i] = embedding;
        inputTokens += tokens;
      }
    };
    try {
      const workers = Array.from({ length: Math.min(this.#concurrency, texts.length) }, () =>
        worker().catch((error: unknown) => {
          // the first failure wins; the calls it cancels fail with it too
          if (!failed) {
            failed = true;
            firstError = error;
            batch.abort(error);
          }
        }),
      );
      await Promise.all(workers);
      options.signal?.throwIfAborted();
      if (failed) throw firstError;
      return { vectors, inputTokens };
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  async #embedOne(text: string, signal: AbortSignal): Promise<{ embedding: number[]; tokens: number }> {
    signal.throwIfAborted();
    let body: Uint8Array;
    try {
      const response = await this.#client.send(
        new InvokeModelCommand({
          modelId: this.model,
          contentType: "application/json",
          accept: "application/json",
          body: JSON.stringify({ inputText: text, dimensions: this.dimensions, normalize: this.#normalize }),
        }),
        { abortSignal: signal },
      );
      body = response.body;
    } catch (error) {
      signal.throwIfAborted();
      throw BedrockError.from(error, `invoke ${this.model}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      throw new BedrockError(`Bedrock invoke ${this.model} returned a body that is not JSON`, {
        code: "InvalidResponse",
        cause: error,
      });
    }
    const parsed = this.#responseSchema.safeParse(json);
    if (!parsed.success) {
      throw new BedrockError(
        `Bedrock invoke ${this.model} returned an unexpected embedding response: ${z.prettifyError(parsed.error)}`,
        { code: "InvalidResponse" },
      );
    }
    return { embedding: parsed.data.embedding, tokens: parsed.data.inputTextTokenCount };
  }
}
