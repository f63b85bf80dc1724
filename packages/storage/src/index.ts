/**
 * @portflow/storage — Postgres persistence for Portflow: migrations, repositories (bots,
 * workflow versions, runs and node executions, documents, API keys), the engine's
 * `RunRecorder` and a pgvector `VectorStore`. Embedded PGlite by default, `pg` for a server.
 * @module
 */
export {
  type AdoptApiKeyInput,
  type AdoptedApiKey,
  API_KEY_PREFIX,
  API_KEY_SCOPES,
  type ApiKey,
  type ApiKeyRepository,
  type ApiKeyScope,
  type ApiKeySource,
  type CreateApiKeyInput,
  type CreatedApiKey,
  hashApiKey,
  KyselyApiKeyRepository,
} from "./api-key-repository.ts";
export {
  BOT_STATUSES,
  type Bot,
  type BotRepository,
  type BotStatus,
  type CreateBotInput,
  KyselyBotRepository,
  type ListBotsOptions,
  type UpdateBotInput,
} from "./bot-repository.ts";
export { type BotSecretName, type BotSecretRepository, KyselyBotSecretRepository } from "./bot-secret-repository.ts";
export {
  type BotStatistics,
  type BotStatisticsOptions,
  type BotStatisticsRepository,
  KyselyBotStatisticsRepository,
  type NodeTypeLatency,
  type QueueWait,
  STATISTICS_WINDOWS,
  type StatisticsBucket,
  type StatisticsWindow,
} from "./bot-statistics-repository.ts";
export {
  type ConversationVariableRepository,
  KyselyConversationVariableRepository,
  type StoredConversationVariable,
} from "./conversation-variable-repository.ts";
export { type CreateStorageOptions, createStorage, type Storage } from "./create-storage.ts";
export type { Database } from "./database-schema.ts";
export {
  DATABASE_UNAVAILABLE,
  DatabaseUnavailableError,
  isDatabaseUnavailable,
  rethrowUnavailable,
} from "./database-unavailable.ts";
export {
  type CreateDocumentInput,
  type DocumentList,
  type DocumentRepository,
  type DocumentStatus,
  KyselyDocumentRepository,
  type ListDocumentsOptions,
  type StoredDocument,
  type UpdateDocumentInput,
} from "./document-repository.ts";
export type { CalibrationRung, HnswCalibration } from "./hnsw-calibration.ts";
export { DEFAULT_HNSW_POLICY, type HnswPolicy, resolveHnswPolicy } from "./hnsw-policy.ts";
export { migrateToLatest, storageMigrations } from "./migrate.ts";
export { MAX_PLAIN_EMBEDDING_DIMENSIONS } from "./migrations/0001-initial.ts";
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_DATA_DIR,
  DEFAULT_EMBEDDING_DIMENSIONS,
  type OpenDatabaseOptions,
  openDatabase,
  type StorageDatabase,
} from "./open-database.ts";
export type { Page } from "./paging.ts";
export { PgRunRecorder, type PgRunRecorderOptions } from "./pg-run-recorder.ts";
export {
  type BotIndexStatus,
  botHnswIndexName,
  type HnswIndexOptions,
  PgVectorStore,
  type PgVectorStoreOptions,
  type SearchRoute,
} from "./pg-vector-store.ts";
export type { RawSession } from "./raw-session.ts";
export {
  KyselyRunRepository,
  type ListRunsOptions,
  type NodeExecution,
  type RetentionOptions,
  RUN_STATUSES,
  type RunList,
  type RunRepository,
  type RunWithNodes,
  type StoredError,
  type StoredRunStatus,
  type SweepOptions,
  type WorkflowRun,
} from "./run-repository.ts";
export {
  KyselyRunSpecRepository,
  type RecordedNode,
  type RunSpecRepository,
  type StoredRunSpec,
  type SubmitOptions,
  type SubmittedRun,
} from "./run-spec-repository.ts";
export { DEFAULT_INLINE_VALUE_BYTES } from "./run-values.ts";
export {
  parseSecretKey,
  SECRET_KEY_SETTING,
  type SealedSecret,
  SecretCipher,
  SecretDecryptError,
  SecretKeyMissingError,
} from "./secret-cipher.ts";
export {
  ConflictError,
  InvalidCursorError,
  InvalidWorkflowError,
  NotFoundError,
  PgvectorMissingError,
  StorageError,
  type StoredWorkflowProblem,
} from "./storage-error.ts";
export { DEFAULT_MAX_STORED_JSON_BYTES, MAX_STORED_JSON_DEPTH, type TruncatedJson } from "./stored-json.ts";
export { workflowChecksum } from "./workflow-checksum.ts";
export {
  KyselyWorkflowVersionRepository,
  type ListVersionsOptions,
  type PublishedGraph,
  type PublishOptions,
  type SaveDraftOptions,
  type VersionGraph,
  type VersionRef,
  type WorkflowValidationResult,
  type WorkflowValidator,
  type WorkflowVersion,
  type WorkflowVersionRepository,
  type WorkflowVersionStatus,
} from "./workflow-version-repository.ts";
