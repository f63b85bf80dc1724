/**
 * @portflow/server — the HTTP layer: REST + Server-Sent Events over the engine, storage and nodes,
 * API-key auth with per-bot isolation, rate limits and chat sessions (Redis or in-memory), config.
 * @module
 */
export { type ApiKeyVerifier, bearerKey, storedApiKeys } from "./api-key-auth.ts";
export type { AppConfig, AppContext, DocumentIngestion, DocumentUpload } from "./app-context.ts";
export { AppError, type ErrorCode } from "./app-error.ts";
export { type BotWorkflowTarget, botWorkflowTarget } from "./bot-workflow-target.ts";
export { type AppDeps, buildApp, type PortflowApp } from "./build-app.ts";
export {
  ConfigError,
  type LlmConfig,
  loadConfig,
  type RateLimitConfig,
  type ServerConfig,
  type SessionConfig,
  type TrustProxySetting,
} from "./config.ts";
export { type FieldIssue, toErrorResponse } from "./error-handler.ts";
export { type ErrorResponse, errorResponseSchema } from "./error-schema.ts";
export { type OpenRuntimeOptions, openRuntime, type PortflowRuntime, providerConfigOf } from "./portflow-runtime.ts";
export type { Principal } from "./principal.ts";
export { routeGroup } from "./rate-limits.ts";
export { RunTracker } from "./run-tracker.ts";
export { HISTORY_INPUT, wireSessionHistory } from "./session-history-wiring.ts";
export { MemorySessionStore, RedisSessionStore, type SessionStore, type SessionStoreOptions } from "./session-store.ts";
export { formatSseEvent, parseSseEvents, SseStream } from "./sse-stream.ts";
export { type RunningServer, type StartServerOptions, startServer } from "./start-server.ts";
export { uploadMimeType } from "./upload-type.ts";
export { type RunTarget, WorkflowRunner } from "./workflow-runner.ts";
