import { type Kysely, type Migration, sql } from "kysely";

/**
 * One document per bot and content: two uploads of the same file racing each other cannot both
 * be stored (the second insert fails and ingestion reports it as a duplicate).
 */
export const uniqueDocumentContentMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`DROP INDEX IF EXISTS documents_bot_sha256_idx`.execute(db);
    await sql`CREATE UNIQUE INDEX documents_bot_sha256_key ON documents (bot_id, sha256)`.execute(db);
  },
};
