/**
 * @portflow/server — the HTTP layer: REST + Server-Sent Events over the engine, storage and nodes,
 * API-key auth with per-bot isolation, rate limits and chat sessions (Redis or in-memory), config.
 * @module
 */
export { type ApiKeyVerifier, bearerKey, withStaticAdminKey } from "./api-key-auth.ts";
export { AppError, type ErrorCode } from "./app-error.ts";
export {
  ConfigError,
  type LlmConfig,
  loadConfig,
  type RateLimitConfig,
  type ServerConfig,
  type SessionConfig,
} from "./config.ts";
export { type ErrorResponse, errorResponseSchema } from "./error-schema.ts";
export type { Principal } from "./principal.ts";
export { RunTracker } from "./run-tracker.ts";
export { HISTORY_INPUT, wireSessionHistory } from "./session-history-wiring.ts";
export { MemorySessionStore, RedisSessionStore, type SessionStore, type SessionStoreOptions } from "./session-store.ts";
export { formatSseEvent, parseSseEvents, SseStream } from "./sse-stream.ts";
