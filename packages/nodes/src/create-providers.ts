import type { ChatModel, Embedder, Reranker } from "@portflow/engine";
import { BedrockChatModel } from "./bedrock/bedrock-chat-model.ts";
import { createBedrockClient } from "./bedrock/bedrock-client.ts";
import { BedrockEmbedder } from "./bedrock/bedrock-embedder.ts";
import { BedrockReranker } from "./bedrock/bedrock-reranker.ts";
import { LocalChatModel } from "./local/local-chat-model.ts";
import { LocalEmbedder } from "./local/local-embedder.ts";
import { type ProviderConfig, parseProviderConfig, providerConfigSchema } from "./provider-config.ts";

/** The embedder and chat model a configuration selects. */
export interface Providers {
  readonly embedder: Embedder;
  readonly chatModel: ChatModel;
  readonly provider: "bedrock" | "local";
  /** Rerank models for the knowledge node's `rerank` (Bedrock only). */
  readonly reranker?: Reranker;
  /** Releases the Bedrock client's connections (a no-op for local providers). */
  close(): void;
}

/**
 * Builds the providers a configuration selects: Titan v2 + Claude on Bedrock, or the offline
 * local pair. Validates the configuration (throws a ProviderConfigError naming the bad field).
 *
 * @example
 * const { embedder, chatModel } = createProviders({ provider: "bedrock", region: "us-east-1" });
 * services.register(Services.Embedder, embedder).register(Services.ChatModel, chatModel);
 */
export function createProviders(config: ProviderConfig = {}): Providers {
  const c = parseProviderConfig(providerConfigSchema, config);
  const provider =
    c.provider ??
    (c.region !== undefined || c.endpoint !== undefined || c.credentials !== undefined ? "bedrock" : "local");
  if (provider === "local") {
    return {
      provider,
      embedder: new LocalEmbedder({ dimensions: c.embeddingDimensions ?? 1024 }),
      chatModel: new LocalChatModel(),
      close() {},
    };
  }
  const clientOptions = {
    ...(c.region !== undefined ? { region: c.region } : {}),
    ...(c.endpoint !== undefined ? { endpoint: c.endpoint } : {}),
    ...(c.credentials !== undefined ? { credentials: c.credentials } : {}),
    ...(c.requestHandler !== undefined ? { requestHandler: c.requestHandler } : {}),
    ...(c.maxAttempts !== undefined ? { maxAttempts: c.maxAttempts } : {}),
    ...(c.retryStrategy !== undefined ? { retryStrategy: c.retryStrategy } : {}),
    ...(c.authSchemePreference !== undefined ? { authSchemePreference: c.authSchemePreference } : {}),
  };
  const client = createBedrockClient(clientOptions);
  const reranker = new BedrockReranker(clientOptions);
  return {
    provider,
    embedder: new BedrockEmbedder({
      client,
      ...(c.embeddingModel !== undefined ? { model: c.embeddingModel } : {}),
      ...(c.embeddingDimensions !== undefined ? { dimensions: c.embeddingDimensions } : {}),
      ...(c.embeddingConcurrency !== undefined ? { concurrency: c.embeddingConcurrency } : {}),
    }),
    chatModel: new BedrockChatModel({ client, ...(c.model !== undefined ? { model: c.model } : {}) }),
    reranker,
    close: () => {
      client.destroy();
      reranker.close();
    },
  };
}
