/**
 * `@portflow/nodes` — the built-in node types (start, end, if-else, template, knowledge, llm,
 * code, template-transform, http-request, document-extractor, …),
 * their registry, provider selection and the chat fallback chain. Providers live in the
 * `./bedrock`, `./openai`, `./anthropic` and `./local` subpaths, document ingestion in `./ingest`,
 * test doubles in `./testing`.
 * @module
 */
export { alternatingTurns } from "./alternating-turns.ts";
export { ChatModelCatalog, ChatModelCatalogService } from "./chat-model-catalog.ts";
export { createNodeRegistry } from "./create-node-registry.ts";
export { createProviders, type Providers } from "./create-providers.ts";
export {
  DEFAULT_FIRST_ANSWER_TIMEOUT_MS,
  FallbackChatModel,
  type FallbackChatModelOptions,
  type FallbackLink,
} from "./fallback-chat-model.ts";
export { type FileMetadata, fileMetadata, withFileMetadata } from "./file-metadata.ts";
export { type FileValue, fileValueBytes, fileValueSchema, toFileValue } from "./file-value.ts";
export { DestinationGuard, DestinationRefusedError } from "./http/destination-guard.ts";
export { allowEntryProblem, HttpAllowList } from "./http/http-allow-list.ts";
export { type HttpRequestConfig, httpRequestConfigSchema } from "./http/http-request-config.ts";
export { HttpRequestError, HttpRequestNode, type HttpRequestOutputs } from "./http/http-request-node.ts";
export { ResponseTooLargeError } from "./http/http-response-body.ts";
export { refusedAddressReason } from "./http/refused-address.ts";
export {
  answeredBy,
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  MODEL_PROVIDERS,
  type ModelProvider,
  type ProviderChatResponse,
  type SkippedProvider,
} from "./model-provider.ts";
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  type DocumentNodeOptions,
  type HttpNodeOptions,
  type NodeRegistryOptions,
} from "./node-registry-options.ts";
export { type CodeConfig, CodeNode, type CodeNodeOptions } from "./nodes/code-node.ts";
export {
  type DocumentExtractorConfig,
  DocumentExtractorNode,
  type DocumentExtractorOutputs,
  InvalidFileInputError,
} from "./nodes/document-extractor-node.ts";
export {
  type KnowledgeConfig,
  type KnowledgeInputs,
  KnowledgeNode,
  type KnowledgeOutputs,
  MissingBotIdError,
} from "./nodes/knowledge-node.ts";
export { type LlmConfig, type LlmInputs, LlmNode, type LlmOutputs } from "./nodes/llm-node.ts";
export {
  chatModelFor,
  type ModelNodeOptions,
  type ModelSelection,
  modelSelectionSchema,
  ProviderNotConfiguredError,
} from "./nodes/model-selection.ts";
export {
  type ParameterExtractorConfig,
  ParameterExtractorNode,
} from "./nodes/parameter-extractor-node.ts";
export {
  ClassificationError,
  type QuestionClassifierConfig,
  QuestionClassifierNode,
  type QuestionClassifierOutputs,
} from "./nodes/question-classifier-node.ts";
export {
  type TemplateTransformConfig,
  TemplateTransformNode,
  type TemplateTransformNodeOptions,
} from "./nodes/template-transform-node.ts";
export {
  type ProviderConfig,
  ProviderConfigError,
  providerConfigFromEnv,
  providerConfigSchema,
} from "./provider-config.ts";
export {
  isRetryableProviderError,
  kindOfStatus,
  ProviderError,
  type ProviderErrorKind,
} from "./provider-error.ts";
export {
  type ChunkRanking,
  DEFAULT_KEYWORD_WEIGHT,
  DEFAULT_RRF_K,
  DEFAULT_VECTOR_WEIGHT,
  type FusedChunk,
  fuseRankings,
  type RankingInput,
} from "./retrieval/reciprocal-rank-fusion.ts";
export {
  type RankedChunk,
  type RetrievalOptions,
  type RetrievalResult,
  type RetrievalServices,
  RetrievalSetupError,
  retrieveChunks,
  SEARCH_MODES,
  type SearchMode,
} from "./retrieval/retrieve-chunks.ts";
export {
  formatContext,
  isRetrievedDocumentArray,
  type RetrievedDocument,
  sourceLabel,
} from "./retrieved-document.ts";
export {
  type PythonJob,
  type PythonResult,
  PythonSandbox,
  type PythonSandboxOptions,
} from "./sandbox/python-sandbox.ts";
export { type QuickJsJob, QuickJsSandbox, type QuickJsSandboxOptions } from "./sandbox/quickjs-sandbox.ts";
export { SandboxError, type SandboxErrorCode } from "./sandbox/sandbox-error.ts";
export {
  DEFAULT_SANDBOX_LIMITS,
  MAX_SANDBOX_LIMITS,
  type SandboxLimitOptions,
  type SandboxLimits,
} from "./sandbox/sandbox-limits.ts";
export { type Sandboxes, sharedSandboxes, warmUpSandboxes } from "./sandbox/sandboxes.ts";
export {
  MissingSecretError,
  SECRET_MASK,
  SECRET_NAME_PATTERN,
  type SecretResolver,
  SecretResolverService,
} from "./secret-resolver.ts";
export {
  jsonSchemaToZod,
  type RestrictedJsonSchema,
  restrictedJsonSchemaSchema,
} from "./structured/json-schema-zod.ts";
