import { type Kysely, type Migration, type MigrationResultSet, Migrator, sql } from "kysely";
import { initialMigration } from "./migrations/0001-initial.ts";
import { fractionalElapsedMigration } from "./migrations/0002-fractional-elapsed.ts";
import { uniqueDocumentContentMigration } from "./migrations/0003-unique-document-content.ts";
import { apiKeyScopesMigration } from "./migrations/0004-api-key-scopes.ts";
import { nodeExecutionRoundsMigration } from "./migrations/0005-node-execution-rounds.ts";
import { conversationVariablesMigration } from "./migrations/0006-conversation-variables.ts";
import { botSecretsMigration } from "./migrations/0007-bot-secrets.ts";
import { chunkToastTargetMigration } from "./migrations/0008-chunk-toast-target.ts";
import { chunkKeywordsMigration } from "./migrations/0009-chunk-keywords.ts";
import { runSpecsMigration } from "./migrations/0010-run-specs.ts";
import { runValuesMigration } from "./migrations/0011-run-values.ts";
import { runStatisticsRollupMigration } from "./migrations/0012-run-statistics-rollup.ts";
import { chunkKeywordsUncompressedMigration } from "./migrations/0013-chunk-keywords-uncompressed.ts";
import { keywordStatisticsMigration } from "./migrations/0014-keyword-statistics.ts";
import { keywordPostingsMigration } from "./migrations/0016-keyword-postings.ts";
import { statisticsRollupShardsMigration } from "./migrations/0017-statistics-rollup-shards.ts";
import { nearestChunksMigration } from "./migrations/0018-nearest-chunks.ts";
import { keywordChunksMigration } from "./migrations/0019-keyword-chunks.ts";
import { hnswCalibrationsMigration } from "./migrations/0020-hnsw-calibrations.ts";
import { PgvectorMissingError, StorageError } from "./storage-error.ts";

/** Every migration, by name, in order. Names sort lexically in the order they must run. */
export function storageMigrations(embeddingDimensions: number): Record<string, Migration> {
  return {
    "0001_initial": initialMigration(embeddingDimensions),
    "0002_fractional_elapsed": fractionalElapsedMigration,
    "0003_unique_document_content": uniqueDocumentContentMigration,
    "0004_api_key_scopes": apiKeyScopesMigration,
    "0005_node_execution_rounds": nodeExecutionRoundsMigration,
    "0006_conversation_variables": conversationVariablesMigration,
    "0007_bot_secrets": botSecretsMigration,
    "0008_chunk_toast_target": chunkToastTargetMigration,
    "0009_chunk_keywords": chunkKeywordsMigration,
    "0010_run_specs": runSpecsMigration,
    "0011_run_values": runValuesMigration,
    "0012_run_statistics_rollup": runStatisticsRollupMigration,
    "0013_chunk_keywords_uncompressed": chunkKeywordsUncompressedMigration,
    "0014_keyword_statistics": keywordStatisticsMigration,
    "0016_keyword_postings": keywordPostingsMigration,
    "0017_statistics_rollup_shards": statisticsRollupShardsMigration,
    "0018_nearest_chunks": nearestChunksMigration,
    "0019_keyword_chunks": keywordChunksMigration,
    "0020_hnsw_calibrations": hnswCalibrationsMigration,
  };
}

/** Kysely's Migrator over the storage migrations and tables (tests use it to stop at a migration). */
export function storageMigrator(db: Kysely<unknown>, embeddingDimensions: number): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => storageMigrations(embeddingDimensions) },
    migrationTableName: "portflow_migrations",
    migrationLockTableName: "portflow_migrations_lock",
  });
}

/**
 * Brings the schema to the latest migration. Kysely's Migrator holds a session-level
 * `pg_advisory_lock` for the whole run, so processes starting together migrate one at a time;
 * a schema already at the latest version is left untouched.
 *
 * @throws PgvectorMissingError when the server has no pgvector extension to create.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  options: { readonly embeddingDimensions: number; readonly checkPgvector?: boolean },
): Promise<MigrationResultSet> {
  const migrations = storageMigrations(options.embeddingDimensions);
  // Every start (each CLI command) comes here: an up-to-date schema costs three catalog-sized
  // queries instead of the Migrator's table checks, advisory lock and listing.
  if (await isAtMigration(db, latestName(migrations))) {
    await assertEmbeddingDimensions(db, options.embeddingDimensions);
    return { results: [] };
  }
  if (options.checkPgvector !== false) await assertPgvectorAvailable(db);
  const result = await storageMigrator(db, options.embeddingDimensions).migrateToLatest();
  if (result.error) {
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    if (/extension "vector"|type "vector" does not exist/i.test(message)) throw new PgvectorMissingError(message);
    throw result.error;
  }
  await assertEmbeddingDimensions(db, options.embeddingDimensions);
  return result;
}

function latestName(migrations: Record<string, Migration>): string {
  return Object.keys(migrations).sort().at(-1) ?? "";
}

/** Whether the last migration recorded is `name` (a newer or unfinished schema is the Migrator's to judge). */
async function isAtMigration(db: Kysely<unknown>, name: string): Promise<boolean> {
  const { rows } = await sql<{ tracked: boolean }>`
    SELECT to_regclass('portflow_migrations') IS NOT NULL AS tracked`.execute(db);
  if (rows[0]?.tracked !== true) return false;
  const latest = await sql<{ name: string | null }>`SELECT max(name) AS name FROM portflow_migrations`.execute(db);
  return latest.rows[0]?.name === name;
}

async function assertPgvectorAvailable(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ available: boolean }>`
    SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`.execute(db);
  if (!rows[0]?.available) throw new PgvectorMissingError();
}

async function assertEmbeddingDimensions(db: Kysely<unknown>, expected: number): Promise<void> {
  const { rows } = await sql<{ dims: number }>`
    SELECT atttypmod AS dims FROM pg_attribute
    WHERE attrelid = 'document_embeddings'::regclass AND attname = 'embedding'`.execute(db);
  const dims = rows[0]?.dims;
  if (dims !== undefined && dims !== expected) {
    throw new StorageError(
      `document_embeddings.embedding is vector(${dims}) but embeddingDimensions is ${expected}: ` +
        "use the dimension the database was created with, or re-create the embeddings table",
    );
  }
}
