import { type ChatModel, ServiceToken } from "@portflow/engine";
import { FallbackChatModel, type FallbackChatModelOptions } from "./fallback-chat-model.ts";
import type { ModelProvider } from "./model-provider.ts";

/**
 * The chat providers a runtime has configured, and its fallback chain. Nodes whose config names
 * `model: {provider, name}` get their model here (through {@link ChatModelCatalogService});
 * `chatModel` is the default every other node uses.
 *
 * @example
 * const catalog = new ChatModelCatalog(new Map([["bedrock", bedrock], ["openai", openai]]), ["bedrock", "openai"]);
 * services.register(Services.ChatModel, catalog.chatModel).register(ChatModelCatalogService, catalog);
 */
export class ChatModelCatalog {
  /** Configured providers, the chain's first. */
  readonly providers: readonly ModelProvider[];
  /** The fallback chain (one provider: no fallback). */
  readonly chain: readonly ModelProvider[];
  /** The default: the chain (or its one provider). */
  readonly chatModel: ChatModel;
  readonly #models: ReadonlyMap<ModelProvider, ChatModel>;
  readonly #options: FallbackChatModelOptions;

  constructor(
    models: ReadonlyMap<ModelProvider, ChatModel>,
    chain: readonly ModelProvider[],
    options: FallbackChatModelOptions = {},
  ) {
    const missing = chain.find((p) => !models.has(p));
    if (missing !== undefined) throw new RangeError(`the fallback chain names "${missing}", which has no chat model`);
    if (chain.length === 0) throw new RangeError("a chat model catalog needs at least one provider in its chain");
    this.#models = models;
    this.#options = options;
    this.chain = Object.freeze([...chain]);
    this.providers = Object.freeze([...chain, ...[...models.keys()].filter((p) => !chain.includes(p))]);
    this.chatModel = this.#chainFrom(chain);
  }

  has(provider: string): provider is ModelProvider {
    return this.#models.has(provider as ModelProvider);
  }

  /**
   * The model for a node that names `provider`: that provider first, then (unless `fallback` is
   * false, or there is no chain) the rest of the chain in order. Undefined for an unconfigured one.
   */
  select(provider: ModelProvider, options: { readonly fallback?: boolean } = {}): ChatModel | undefined {
    if (!this.has(provider)) return undefined;
    if (options.fallback === false || this.chain.length < 2) return this.#chainFrom([provider]);
    return this.#chainFrom([provider, ...this.chain.filter((p) => p !== provider)]);
  }

  #chainFrom(providers: readonly ModelProvider[]): ChatModel {
    // one provider is no chain: its model as it is, without the chain's first-answer timeout
    if (providers.length === 1) return this.#models.get(providers[0] as ModelProvider) as ChatModel;
    return new FallbackChatModel(
      providers.map((provider) => ({ provider, chatModel: this.#models.get(provider) as ChatModel })),
      this.#options,
    );
  }
}

/** Where nodes find the {@link ChatModelCatalog} in a run's services. */
export const ChatModelCatalogService = new ServiceToken<ChatModelCatalog>("ChatModelCatalog");
