/**
 * `@portflow/nodes/local` — offline providers: a feature-hashing embedder and an extractive chat
 * model. The default when no AWS configuration is present.
 * @module
 */
export { LocalChatModel, type LocalChatModelOptions } from "./local-chat-model.ts";
export { LocalEmbedder, type LocalEmbedderOptions } from "./local-embedder.ts";
export { localStructuredAnswer, localStructuredOutput } from "./local-structured-output.ts";
