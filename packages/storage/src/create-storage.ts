import { type ApiKeyRepository, KyselyApiKeyRepository } from "./api-key-repository.ts";
import { type BotRepository, KyselyBotRepository } from "./bot-repository.ts";
import { type BotSecretRepository, KyselyBotSecretRepository } from "./bot-secret-repository.ts";
import { type BotStatisticsRepository, KyselyBotStatisticsRepository } from "./bot-statistics-repository.ts";
import {
  type ConversationVariableRepository,
  KyselyConversationVariableRepository,
} from "./conversation-variable-repository.ts";
import { type DocumentRepository, KyselyDocumentRepository } from "./document-repository.ts";
import type { StorageDatabase } from "./open-database.ts";
import { PgRunRecorder, type PgRunRecorderOptions } from "./pg-run-recorder.ts";
import { PgVectorStore, type PgVectorStoreOptions } from "./pg-vector-store.ts";
import { KyselyRunRepository, type RunRepository } from "./run-repository.ts";
import { KyselyRunSpecRepository, type RunSpecRepository } from "./run-spec-repository.ts";
import { SecretCipher } from "./secret-cipher.ts";
import {
  KyselyWorkflowVersionRepository,
  type WorkflowValidator,
  type WorkflowVersionRepository,
} from "./workflow-version-repository.ts";

export interface CreateStorageOptions {
  /** Validates workflow JSON on draft save and publish: `(json) => validateWorkflow(json, registry)`. */
  readonly validate: WorkflowValidator;
  readonly recorder?: PgRunRecorderOptions;
  /** The 32-byte key bot secrets are encrypted under (`PORTFLOW_SECRET_KEY`); absent: secrets cannot be stored. */
  readonly secretKey?: Uint8Array;
  /** The chunk store's HNSW policy and build error callback. */
  readonly vectors?: PgVectorStoreOptions;
}

/** Every repository over one database. */
export interface Storage {
  readonly database: StorageDatabase;
  readonly bots: BotRepository;
  readonly workflowVersions: WorkflowVersionRepository;
  readonly runs: RunRepository;
  /** Windowed aggregates for the console's statistics page. */
  readonly statistics: BotStatisticsRepository;
  /** Submitted runs: the queued row and its spec, and what a resume reads. */
  readonly runSpecs: RunSpecRepository;
  /** Register as `Services.RunRecorder`. */
  readonly recorder: PgRunRecorder;
  readonly documents: DocumentRepository;
  /** Register as `Services.VectorStore`. */
  readonly vectors: PgVectorStore;
  readonly apiKeys: ApiKeyRepository;
  readonly conversationVariables: ConversationVariableRepository;
  readonly botSecrets: BotSecretRepository;
  /** Stops the recorder's heartbeat and closes the database. */
  close(): Promise<void>;
}

/**
 * @example
 * const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
 * const storage = createStorage(database, { validate: (json) => validateWorkflow(json, registry) });
 * await storage.runs.sweepInterrupted();
 */
export function createStorage(database: StorageDatabase, options: CreateStorageOptions): Storage {
  const recorder = new PgRunRecorder(database.db, options.recorder);
  return {
    database,
    bots: new KyselyBotRepository(database.db),
    workflowVersions: new KyselyWorkflowVersionRepository(database.db, options.validate),
    runs: new KyselyRunRepository(database.db),
    statistics: new KyselyBotStatisticsRepository(database.db),
    runSpecs: new KyselyRunSpecRepository(database.db, recorder),
    recorder,
    documents: new KyselyDocumentRepository(database.db),
    vectors: new PgVectorStore(database, options.vectors),
    apiKeys: new KyselyApiKeyRepository(database.db),
    conversationVariables: new KyselyConversationVariableRepository(database.db),
    botSecrets: new KyselyBotSecretRepository(
      database.db,
      options.secretKey !== undefined ? new SecretCipher(options.secretKey) : undefined,
    ),
    async close() {
      recorder.close();
      await database.close();
    },
  };
}
