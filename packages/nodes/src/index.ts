/**
 * `@portflow/nodes` — the built-in node types (start, end, if-else, template, knowledge, llm),
 * their registry, and provider selection. Providers live in the `./bedrock` and `./local`
 * subpaths, document ingestion in `./ingest`, test doubles in `./testing`.
 * @module
 */
export { createNodeRegistry } from "./create-node-registry.ts";
export { createProviders, type Providers } from "./create-providers.ts";
export {
  type KnowledgeConfig,
  type KnowledgeInputs,
  KnowledgeNode,
  type KnowledgeOutputs,
  MissingBotIdError,
} from "./nodes/knowledge-node.ts";
export { type LlmConfig, type LlmInputs, LlmNode, type LlmOutputs } from "./nodes/llm-node.ts";
export {
  type ProviderConfig,
  ProviderConfigError,
  providerConfigFromEnv,
  providerConfigSchema,
} from "./provider-config.ts";
export {
  formatContext,
  isRetrievedDocumentArray,
  type RetrievedDocument,
  sourceLabel,
} from "./retrieved-document.ts";
