import type { ChatModel, Embedder, Reranker } from "@portflow/engine";
import { AnthropicChatModel } from "./anthropic/anthropic-chat-model.ts";
import { createAnthropicClient } from "./anthropic/anthropic-client.ts";
import { BedrockChatModel } from "./bedrock/bedrock-chat-model.ts";
import { createBedrockClient } from "./bedrock/bedrock-client.ts";
import { BedrockEmbedder } from "./bedrock/bedrock-embedder.ts";
import { BedrockReranker } from "./bedrock/bedrock-reranker.ts";
import { ChatModelCatalog } from "./chat-model-catalog.ts";
import { LocalChatModel } from "./local/local-chat-model.ts";
import { LocalEmbedder } from "./local/local-embedder.ts";
import type { EmbeddingProvider, ModelProvider } from "./model-provider.ts";
import { OpenAiChatModel } from "./openai/openai-chat-model.ts";
import { createOpenAiClient } from "./openai/openai-client.ts";
import { OpenAiEmbedder } from "./openai/openai-embedder.ts";
import {
  type ProviderConfig,
  ProviderConfigError,
  parseProviderConfig,
  providerConfigSchema,
} from "./provider-config.ts";

/** The embedder and chat models a configuration selects. */
export interface Providers {
  readonly embedder: Embedder;
  /** The default chat model: the fallback chain, or the primary provider's model alone. */
  readonly chatModel: ChatModel;
  /** The primary provider. */
  readonly provider: ModelProvider;
  /** Who embeds: one embedder for every bot, never part of the fallback chain. */
  readonly embeddingProvider: EmbeddingProvider;
  /** Every configured chat provider and the chain (register it as `ChatModelCatalogService`). */
  readonly catalog: ChatModelCatalog;
  /** Rerank models for the knowledge node's `rerank` (Bedrock only). */
  readonly reranker?: Reranker;
  /** Releases the Bedrock clients' connections (a no-op for the others). */
  close(): void;
}

const EMBEDS: ReadonlySet<ModelProvider> = new Set(["bedrock", "openai", "local"]);

/**
 * Builds the providers a configuration selects: Titan v2 + Claude on Bedrock, OpenAI (or any
 * compatible server), Anthropic (chat only), or the offline local pair; and the chat fallback
 * chain (`fallback`). Validates the configuration (throws a ProviderConfigError naming the bad field).
 * The embedder is one provider's, never a chain: vectors of two embedders cannot be compared,
 * even when their sizes agree.
 *
 * @example
 * const { embedder, chatModel, catalog } = createProviders({ provider: "bedrock", region: "us-east-1",
 *   fallback: ["bedrock", "openai"], openai: { apiKey } });
 * services.register(Services.Embedder, embedder).register(Services.ChatModel, chatModel)
 *   .register(ChatModelCatalogService, catalog);
 */
export function createProviders(config: ProviderConfig = {}): Providers {
  const c = parseProviderConfig(providerConfigSchema, config);
  const hasAws = c.region !== undefined || c.endpoint !== undefined || c.credentials !== undefined;
  const provider: ModelProvider = c.provider ?? c.fallback?.[0] ?? (hasAws ? "bedrock" : "local");
  const chain: readonly ModelProvider[] = c.fallback ?? [provider];
  const embeddingProvider = c.embeddingProvider ?? (EMBEDS.has(provider) ? (provider as EmbeddingProvider) : undefined);
  if (embeddingProvider === undefined) {
    throw new ProviderConfigError(
      `invalid provider configuration:\nembeddingProvider: ${provider} has no embeddings API; choose bedrock, openai or local`,
    );
  }
  const named = new Set<ModelProvider>([provider, ...chain, embeddingProvider]);
  for (const needed of ["openai", "anthropic"] as const) {
    if (named.has(needed) && c[needed] === undefined) {
      throw new ProviderConfigError(
        `invalid provider configuration:\n${needed}: "${needed}" is used but not configured (give ${needed}.apiKey or ${needed}.baseURL)`,
      );
    }
  }

  const models = new Map<ModelProvider, ChatModel>();
  let embedder: Embedder | undefined;
  let close = () => {};
  let reranker: Reranker | undefined;
  if (hasAws || named.has("bedrock")) {
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
    const bedrockReranker = new BedrockReranker(clientOptions);
    reranker = bedrockReranker;
    close = () => {
      client.destroy();
      bedrockReranker.close();
    };
    models.set("bedrock", new BedrockChatModel({ client, ...(c.model !== undefined ? { model: c.model } : {}) }));
    if (embeddingProvider === "bedrock") {
      embedder = new BedrockEmbedder({
        client,
        ...(c.embeddingModel !== undefined ? { model: c.embeddingModel } : {}),
        ...(c.embeddingDimensions !== undefined ? { dimensions: c.embeddingDimensions } : {}),
        ...(c.embeddingConcurrency !== undefined ? { concurrency: c.embeddingConcurrency } : {}),
      });
    }
  }
  if (c.openai !== undefined) {
    const o = c.openai;
    const client = createOpenAiClient({
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
      ...(o.baseURL !== undefined ? { baseURL: o.baseURL } : {}),
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}),
    });
    models.set("openai", new OpenAiChatModel({ client, ...(o.model !== undefined ? { model: o.model } : {}) }));
    if (embeddingProvider === "openai") {
      embedder = new OpenAiEmbedder({
        client,
        ...(o.embeddingModel !== undefined ? { model: o.embeddingModel } : {}),
        ...(o.embeddingDimensions !== undefined ? { dimensions: o.embeddingDimensions } : {}),
      });
    }
  }
  if (c.anthropic !== undefined) {
    const a = c.anthropic;
    const client = createAnthropicClient({
      ...(a.apiKey !== undefined ? { apiKey: a.apiKey } : {}),
      ...(a.baseURL !== undefined ? { baseURL: a.baseURL } : {}),
      ...(a.timeoutMs !== undefined ? { timeoutMs: a.timeoutMs } : {}),
      ...(a.maxRetries !== undefined ? { maxRetries: a.maxRetries } : {}),
    });
    models.set("anthropic", new AnthropicChatModel({ client, ...(a.model !== undefined ? { model: a.model } : {}) }));
  }
  // offline, always available: a last resort in a chain, or a node's explicit choice
  models.set("local", new LocalChatModel());
  embedder ??= new LocalEmbedder({ dimensions: c.embeddingDimensions ?? 1024 });

  const catalog = new ChatModelCatalog(models, chain, {
    ...(c.fallbackTimeoutMs !== undefined ? { firstAnswerTimeoutMs: c.fallbackTimeoutMs } : {}),
  });
  return {
    provider,
    embeddingProvider,
    embedder,
    chatModel: catalog.chatModel,
    catalog,
    ...(reranker !== undefined ? { reranker } : {}),
    close,
  };
}
