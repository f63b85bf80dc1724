import { type Kysely, type Migration, sql } from "kysely";

/**
 * Stores a chunk's `tsvector` uncompressed. A 1,000-character Korean chunk indexes to 3–6 kB of
 * lexemes, over the TOAST threshold, so PostgreSQL compressed every keyword row with pglz on
 * ingest and decompressed every matching row on search: a third of the keyword index's ingest
 * cost and three quarters of a broad keyword search's. Bigram lexemes hardly compress anyway.
 * Applies to rows written from now on.
 */
export const chunkKeywordsUncompressedMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`ALTER TABLE chunk_keywords ALTER COLUMN keywords SET STORAGE EXTERNAL`.execute(db);
  },
};
