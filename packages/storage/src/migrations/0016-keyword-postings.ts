import { type Kysely, type Migration, sql } from "kysely";

/**
 * An inverted index beside `chunk_keywords`, so a keyword search reads the postings of its query
 * terms instead of every matching chunk's `tsvector`:
 *
 * - `keyword_postings` holds, per bot, term and document, the chunks holding the term with its
 *   frequency and their token counts (three aligned arrays). A query of ten common bigrams reads
 *   about a hundred such rows where it read 900 `tsvector`s of 5–6 kB (and ranked each ten times).
 *   `term` sorts bytewise (`COLLATE "C"`), the order of a `tsvector`'s lexemes, so a chunk's terms
 *   are summed in the same order as before and the scores stay the same to the bit.
 * - `PgVectorStore.upsert` writes the postings of the chunks it stores (merged into the document's
 *   existing rows) from the lexemes it computed, beside their `chunk_keywords` rows: building them
 *   in SQL from the new `tsvector`s (`unnest`, aggregate) more than halved the ingest rate. Statement
 *   triggers on `chunk_keywords` take deleted chunks out (upsert replacements, document and bot
 *   deletion, cascades), and an update (no code path does one) counts as a removal and an insert.
 * - The GIN index on `(bot_id, keywords)` (migration 0014) has no reader left and is dropped (one
 *   index less to keep up on ingest).
 *
 * Existing chunks are backfilled from their `tsvector`s.
 */
export const keywordPostingsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE keyword_postings (
        bot_id text NOT NULL,
        term text COLLATE "C" NOT NULL,
        document_id text NOT NULL,
        chunk_indexes integer[] NOT NULL,
        term_frequencies integer[] NOT NULL,
        token_counts integer[] NOT NULL,
        PRIMARY KEY (bot_id, term, document_id)
      )`.execute(db);
    // the delete trigger finds a document's rows by it
    await sql`CREATE INDEX keyword_postings_document_idx ON keyword_postings (bot_id, document_id)`.execute(db);
    await sql`
      CREATE FUNCTION keyword_postings_added() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO keyword_postings AS p (bot_id, term, document_id, chunk_indexes, term_frequencies, token_counts)
        SELECT a.bot_id, u.lexeme, a.document_id,
               array_agg(a.chunk_index), array_agg(cardinality(u.positions)), array_agg(a.token_count)
        FROM added a, unnest(a.keywords) AS u
        GROUP BY a.bot_id, u.lexeme, a.document_id
        ON CONFLICT (bot_id, term, document_id) DO UPDATE SET
          chunk_indexes = p.chunk_indexes || excluded.chunk_indexes,
          term_frequencies = p.term_frequencies || excluded.term_frequencies,
          token_counts = p.token_counts || excluded.token_counts;
        RETURN NULL;
      END $$`.execute(db);
    await sql`
      CREATE FUNCTION keyword_postings_removed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- rows left with no chunk go; the others keep the chunks not removed (arrays stay aligned)
        WITH g AS (SELECT bot_id, document_id, array_agg(chunk_index) AS gone FROM removed GROUP BY bot_id, document_id)
        DELETE FROM keyword_postings p USING g
        WHERE p.bot_id = g.bot_id AND p.document_id = g.document_id AND p.chunk_indexes <@ g.gone;
        WITH g AS (SELECT bot_id, document_id, array_agg(chunk_index) AS gone FROM removed GROUP BY bot_id, document_id)
        UPDATE keyword_postings p SET
          chunk_indexes = ARRAY(SELECT c FROM unnest(p.chunk_indexes) AS c WHERE c <> ALL (g.gone)),
          term_frequencies = ARRAY(SELECT f FROM unnest(p.chunk_indexes, p.term_frequencies) AS u(c, f) WHERE c <> ALL (g.gone)),
          token_counts = ARRAY(SELECT n FROM unnest(p.chunk_indexes, p.token_counts) AS u(c, n) WHERE c <> ALL (g.gone))
        FROM g
        WHERE p.bot_id = g.bot_id AND p.document_id = g.document_id AND p.chunk_indexes && g.gone;
        RETURN NULL;
      END $$`.execute(db);
    await sql`
      CREATE TRIGGER chunk_keywords_postings_removed AFTER DELETE ON chunk_keywords
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION keyword_postings_removed()`.execute(db);
    // an UPDATE: its old rows out first, then its new rows in (from their tsvectors)
    await sql`
      CREATE TRIGGER chunk_keywords_postings_updated_1_removed AFTER UPDATE ON chunk_keywords
      REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION keyword_postings_removed()`.execute(db);
    await sql`
      CREATE TRIGGER chunk_keywords_postings_updated_2_added AFTER UPDATE ON chunk_keywords
      REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION keyword_postings_added()`.execute(db);
    // one bot at a time: an aggregate over every bot's lexemes at once would spill to disk
    const { rows: bots } = await sql<{ bot_id: string }>`SELECT DISTINCT bot_id FROM chunk_keywords`.execute(db);
    for (const { bot_id: botId } of bots) {
      await sql`
        INSERT INTO keyword_postings (bot_id, term, document_id, chunk_indexes, term_frequencies, token_counts)
        SELECT k.bot_id, u.lexeme, k.document_id,
               array_agg(k.chunk_index), array_agg(cardinality(u.positions)), array_agg(k.token_count)
        FROM chunk_keywords k, unnest(k.keywords) AS u
        WHERE k.bot_id = ${botId}
        GROUP BY k.bot_id, u.lexeme, k.document_id`.execute(db);
    }
    await sql`DROP INDEX IF EXISTS chunk_keywords_bot_keywords_idx`.execute(db);
  },
};
