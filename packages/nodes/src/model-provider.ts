import type { ChatResponse } from "@portflow/engine";

/** The model providers Portflow speaks to. `anthropic` offers chat only (it has no embeddings API). */
export const MODEL_PROVIDERS = ["bedrock", "anthropic", "openai", "local"] as const;

/** A model provider's name, as `LLM_PROVIDER`, `LLM_FALLBACK` and a node's `model.provider` spell it. */
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

/** The providers that can embed text. */
export const EMBEDDING_PROVIDERS = ["bedrock", "openai", "local"] as const;

/** A provider with an embeddings API. */
export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];

/** A provider the fallback chain skipped, and why. */
export interface SkippedProvider {
  readonly provider: string;
  readonly error: string;
}

/**
 * A {@link ChatResponse} that says who answered: every Portflow chat model sets `provider`; a
 * fallback chain also lists the providers it moved past (`skipped`, in order).
 */
export interface ProviderChatResponse extends ChatResponse {
  readonly provider?: string;
  readonly skipped?: readonly SkippedProvider[];
}

/** Who answered a chat call, for a node's process data: `{provider, skipped_providers}` when known. */
export function answeredBy(response: ChatResponse): Record<string, unknown> {
  const { provider, skipped } = response as ProviderChatResponse;
  return {
    ...(typeof provider === "string" ? { provider } : {}),
    ...(Array.isArray(skipped) && skipped.length > 0 ? { skipped_providers: skipped } : {}),
  };
}
