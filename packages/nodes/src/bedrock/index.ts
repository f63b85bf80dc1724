/**
 * `@portflow/nodes/bedrock` — Amazon Bedrock providers: Titan text embeddings v2 over
 * InvokeModel, Claude (any Converse model) over Converse / ConverseStream, and Rerank models
 * through the agent runtime's Rerank.
 * @module
 */
export {
  BedrockChatModel,
  type BedrockChatModelOptions,
  DEFAULT_BEDROCK_CHAT_MODEL,
} from "./bedrock-chat-model.ts";
export { type BedrockClientOptions, createBedrockClient } from "./bedrock-client.ts";
export {
  BedrockEmbedder,
  type BedrockEmbedderOptions,
  EmbeddingInputError,
  TITAN_MAX_INPUT_CHARS,
  type TitanDimensions,
} from "./bedrock-embedder.ts";
export { BedrockError } from "./bedrock-error.ts";
export { BEDROCK_RERANK_MAX_SOURCES, BedrockReranker } from "./bedrock-reranker.ts";
