/**
 * `@portflow/nodes` — the built-in node types (start, end, if-else, template, knowledge, llm,
 * code, template-transform),
 * their registry, and provider selection. Providers live in the `./bedrock` and `./local`
 * subpaths, document ingestion in `./ingest`, test doubles in `./testing`.
 * @module
 */
export { createNodeRegistry } from "./create-node-registry.ts";
export { createProviders, type Providers } from "./create-providers.ts";
export { type FileValue, fileValueBytes, fileValueSchema, toFileValue } from "./file-value.ts";
export { DestinationGuard, DestinationRefusedError } from "./http/destination-guard.ts";
export { allowEntryProblem, HttpAllowList } from "./http/http-allow-list.ts";
export { type HttpRequestConfig, httpRequestConfigSchema } from "./http/http-request-config.ts";
export { HttpRequestError, HttpRequestNode, type HttpRequestOutputs } from "./http/http-request-node.ts";
export { ResponseTooLargeError } from "./http/http-response-body.ts";
export { refusedAddressReason } from "./http/refused-address.ts";
export {
  DEFAULT_MAX_RESPONSE_BYTES,
  type HttpNodeOptions,
  type NodeRegistryOptions,
} from "./node-registry-options.ts";
export { type CodeConfig, CodeNode, type CodeNodeOptions } from "./nodes/code-node.ts";
export {
  type KnowledgeConfig,
  type KnowledgeInputs,
  KnowledgeNode,
  type KnowledgeOutputs,
  MissingBotIdError,
} from "./nodes/knowledge-node.ts";
export { type LlmConfig, type LlmInputs, LlmNode, type LlmOutputs } from "./nodes/llm-node.ts";
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
  type ChunkRanking,
  DEFAULT_RRF_K,
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
