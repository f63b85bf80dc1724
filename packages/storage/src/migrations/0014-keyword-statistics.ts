import { type Kysely, type Migration, sql } from "kysely";

/**
 * Makes a keyword search cost what the searched bot holds, not what every bot holds:
 *
 * - The GIN index is on `(bot_id, keywords)` (`btree_gin`): the old one on `keywords` alone
 *   returned every bot's chunks holding a common term (64,610 at 100 bots × 1,000 chunks) before
 *   the bot filter, 18 ms of a 27 ms search; the bot's own 633 came back in 0.4 ms.
 * - `toast_tuple_target = 8160` keeps a chunk's 5–6 kB `tsvector` in its row: out of line, each
 *   matching row cost a TOAST index lookup and 2–3 chunk reads (4–5× the time of reading them).
 *   Applies to rows written from now on.
 * - `keyword_statistics` holds each bot's chunk count and total token count (BM25's `n` and mean
 *   length), kept by statement triggers on `chunk_keywords` so that every path (upsert, document
 *   and bot deletion, cascades) keeps them right; a search read them from all the bot's rows.
 */
export const keywordStatisticsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`CREATE EXTENSION IF NOT EXISTS btree_gin`.execute(db);
    await sql`DROP INDEX IF EXISTS chunk_keywords_keywords_idx`.execute(db);
    await sql`CREATE INDEX chunk_keywords_bot_keywords_idx ON chunk_keywords USING gin (bot_id, keywords)`.execute(db);
    await sql`ALTER TABLE chunk_keywords SET (toast_tuple_target = 8160)`.execute(db);
    await sql`
      CREATE TABLE keyword_statistics (
        bot_id text PRIMARY KEY REFERENCES bots (id) ON DELETE CASCADE,
        chunks bigint NOT NULL,
        tokens bigint NOT NULL
      )`.execute(db);
    await sql`
      INSERT INTO keyword_statistics (bot_id, chunks, tokens)
      SELECT bot_id, count(*), sum(token_count) FROM chunk_keywords GROUP BY bot_id`.execute(db);
    await sql`
      CREATE FUNCTION keyword_statistics_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO keyword_statistics AS s (bot_id, chunks, tokens)
        SELECT bot_id, count(*), sum(token_count) FROM added GROUP BY bot_id
        ON CONFLICT (bot_id) DO UPDATE SET chunks = s.chunks + excluded.chunks, tokens = s.tokens + excluded.tokens;
        RETURN NULL;
      END $$`.execute(db);
    // an UPDATE (no code path does one today) counts as its old rows removed and new rows added
    await sql`
      CREATE FUNCTION keyword_statistics_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- UPDATE, never INSERT: a bot being deleted must not get its row back
        UPDATE keyword_statistics s SET chunks = s.chunks - r.chunks, tokens = s.tokens - r.tokens
        FROM (SELECT bot_id, count(*) AS chunks, sum(token_count) AS tokens FROM removed GROUP BY bot_id) r
        WHERE s.bot_id = r.bot_id;
        RETURN NULL;
      END $$`.execute(db);
    await sql`
      CREATE TRIGGER chunk_keywords_added AFTER INSERT ON chunk_keywords
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION keyword_statistics_added()`.execute(db);
    await sql`
      CREATE TRIGGER chunk_keywords_removed AFTER DELETE ON chunk_keywords
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION keyword_statistics_removed()`.execute(db);
    await sql`
      CREATE TRIGGER chunk_keywords_updated_removed AFTER UPDATE ON chunk_keywords
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION keyword_statistics_removed()`.execute(db);
    await sql`
      CREATE TRIGGER chunk_keywords_updated_added AFTER UPDATE ON chunk_keywords
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION keyword_statistics_added()`.execute(db);
  },
};
