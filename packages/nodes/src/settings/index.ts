/**
 * `@portflow/nodes/settings` — the names and limits a configuration is checked against (provider
 * names, http-request's allow-list entries and response cap, the sandboxes' defaults and maxima),
 * without the node types and provider clients the main entry loads.
 * @module
 */
export { allowEntryProblem } from "../http/http-allow-list.ts";
export { EMBEDDING_PROVIDERS, type EmbeddingProvider, MODEL_PROVIDERS, type ModelProvider } from "../model-provider.ts";
export { DEFAULT_MAX_RESPONSE_BYTES } from "../node-registry-options.ts";
export { DEFAULT_SANDBOX_LIMITS, MAX_SANDBOX_LIMITS, type SandboxLimits } from "../sandbox/sandbox-limits.ts";
