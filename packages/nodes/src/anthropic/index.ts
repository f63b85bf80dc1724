/**
 * `@portflow/nodes/anthropic` — Claude over the Anthropic Messages API (`@anthropic-ai/sdk`),
 * streaming. Chat only: Anthropic offers no embeddings.
 * @module
 */
export {
  AnthropicChatModel,
  type AnthropicChatModelOptions,
  DEFAULT_ANTHROPIC_CHAT_MODEL,
} from "./anthropic-chat-model.ts";
export { type AnthropicClientOptions, createAnthropicClient, DEFAULT_ANTHROPIC_BASE_URL } from "./anthropic-client.ts";
