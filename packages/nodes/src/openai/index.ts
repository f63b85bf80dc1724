/**
 * `@portflow/nodes/openai` — chat and embeddings over the OpenAI API or any server that speaks it
 * (Azure OpenAI's v1 API, Ollama, vLLM, LM Studio), through the `openai` SDK with a `baseURL`.
 * @module
 */
export { DEFAULT_OPENAI_CHAT_MODEL, OpenAiChatModel, type OpenAiChatModelOptions } from "./openai-chat-model.ts";
export { createOpenAiClient, DEFAULT_OPENAI_BASE_URL, type OpenAiClientOptions } from "./openai-client.ts";
export { DEFAULT_OPENAI_EMBEDDING_MODEL, OpenAiEmbedder, type OpenAiEmbedderOptions } from "./openai-embedder.ts";
