import {
  BedrockAgentRuntimeClient,
  type BedrockAgentRuntimeClientConfig,
  RerankCommand,
} from "@aws-sdk/client-bedrock-agent-runtime";
import type { CallOptions, Reranker, RerankRequest, RerankResult } from "@portflow/engine";
import { z } from "zod";
import type { BedrockClientOptions } from "./bedrock-client.ts";
import { BedrockError } from "./bedrock-error.ts";

/** Bedrock Rerank takes at most this many sources per call. */
export const BEDROCK_RERANK_MAX_SOURCES = 1_000;

const resultsSchema = z.array(z.object({ index: z.number().int().min(0), relevanceScore: z.number() }));

/**
 * Reranking through Amazon Bedrock's Rerank API (`@aws-sdk/client-bedrock-agent-runtime`,
 * `RerankCommand`): Amazon Rerank 1.0 or Cohere Rerank 3.5 score each candidate against the
 * query. A model id (`amazon.rerank-v1:0`) becomes the foundation-model ARN of the client's
 * region; an ARN is used as given. Throttling and 5xx are retried by the SDK, as for the runtime.
 *
 * @example
 * const reranker = new BedrockReranker({ region: "us-east-1" });
 * const best = await reranker.rerank({ model: "amazon.rerank-v1:0", query, documents, topN: 5 });
 */
export class BedrockReranker implements Reranker {
  readonly #client: BedrockAgentRuntimeClient;
  readonly #region: string;

  constructor(options: BedrockClientOptions = {}) {
    this.#region = options.region ?? "us-east-1";
    this.#client = new BedrockAgentRuntimeClient({
      region: this.#region,
      maxAttempts: options.maxAttempts ?? 3,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      ...(options.requestHandler !== undefined
        ? { requestHandler: options.requestHandler as BedrockAgentRuntimeClientConfig["requestHandler"] }
        : {}),
      ...(options.retryStrategy !== undefined ? { retryStrategy: options.retryStrategy } : {}),
      ...(options.authSchemePreference !== undefined ? { authSchemePreference: options.authSchemePreference } : {}),
    });
  }

  /** The model ARN a model id or ARN stands for in this reranker's region. */
  modelArn(model: string): string {
    return model.startsWith("arn:") ? model : `arn:aws:bedrock:${this.#region}::foundation-model/${model}`;
  }

  async rerank(request: RerankRequest, options: CallOptions = {}): Promise<RerankResult[]> {
    options.signal?.throwIfAborted();
    if (request.documents.length === 0) return [];
    if (request.documents.length > BEDROCK_RERANK_MAX_SOURCES) {
      throw new RangeError(`Bedrock Rerank takes at most ${BEDROCK_RERANK_MAX_SOURCES} documents per call`);
    }
    const operation = `rerank ${request.model}`;
    let results: unknown;
    try {
      const response = await this.#client.send(
        new RerankCommand({
          queries: [{ type: "TEXT", textQuery: { text: request.query } }],
          sources: request.documents.map((text) => ({
            type: "INLINE",
            inlineDocumentSource: { type: "TEXT", textDocument: { text } },
          })),
          rerankingConfiguration: {
            type: "BEDROCK_RERANKING_MODEL",
            bedrockRerankingConfiguration: {
              numberOfResults: Math.max(1, Math.min(request.topN, request.documents.length)),
              modelConfiguration: { modelArn: this.modelArn(request.model) },
            },
          },
        }),
        options.signal ? { abortSignal: options.signal } : {},
      );
      results = response.results;
    } catch (error) {
      options.signal?.throwIfAborted();
      throw BedrockError.from(error, operation);
    }
    const parsed = resultsSchema.safeParse(results);
    if (!parsed.success || parsed.data.some((r) => r.index >= request.documents.length)) {
      throw new BedrockError(`Bedrock ${operation} returned an unexpected response`, { code: "InvalidResponse" });
    }
    return [...parsed.data].sort((a, b) => b.relevanceScore - a.relevanceScore).slice(0, request.topN);
  }

  /** Releases the client's connections. */
  close(): void {
    this.#client.destroy();
  }
}
