import { type Kysely, type Migration, sql } from "kysely";
import { chunkKeywords, tsvectorLiteral } from "../chunk-keywords.ts";

/** Chunks backfilled per statement. */
const BACKFILL_BATCH = 500;

/**
 * The keyword index beside the vectors: one row per chunk with its `keywordTokens` as a
 * `tsvector` (built from tokens computed in TypeScript, never PostgreSQL's parser, which has no
 * Korean) and its token count, for BM25. A table of its own keeps the vector rows narrow; it
 * follows its chunk through the foreign key. Existing chunks are backfilled.
 */
export const chunkKeywordsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE chunk_keywords (
        bot_id text NOT NULL,
        document_id text NOT NULL,
        chunk_index integer NOT NULL,
        keywords tsvector NOT NULL,
        token_count integer NOT NULL,
        PRIMARY KEY (bot_id, document_id, chunk_index),
        FOREIGN KEY (bot_id, document_id, chunk_index)
          REFERENCES document_embeddings (bot_id, document_id, chunk_index) ON DELETE CASCADE
      )`.execute(db);
    await sql`CREATE INDEX chunk_keywords_keywords_idx ON chunk_keywords USING gin (keywords)`.execute(db);
    let after = { bot_id: "", document_id: "", chunk_index: -1 };
    for (;;) {
      const { rows } = await sql<{ bot_id: string; document_id: string; chunk_index: number; content: string }>`
        SELECT bot_id, document_id, chunk_index, content FROM document_embeddings
        WHERE (bot_id, document_id, chunk_index) > (${after.bot_id}, ${after.document_id}, ${after.chunk_index})
        ORDER BY bot_id, document_id, chunk_index
        LIMIT ${BACKFILL_BATCH}`.execute(db);
      const last = rows.at(-1);
      if (last === undefined) return;
      const entries = rows.map((r) => {
        const keywords = chunkKeywords(r.content);
        return {
          b: r.bot_id,
          d: r.document_id,
          i: r.chunk_index,
          k: tsvectorLiteral(keywords),
          n: keywords.tokenCount,
        };
      });
      await sql`
        INSERT INTO chunk_keywords (bot_id, document_id, chunk_index, keywords, token_count)
        SELECT b, d, i, k::tsvector, n FROM jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)
          AS e(b text, d text, i int, k text, n int)`.execute(db);
      after = last;
    }
  },
};
