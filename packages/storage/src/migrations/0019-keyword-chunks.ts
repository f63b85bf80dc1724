import { type Kysely, type Migration, sql } from "kysely";

/**
 * A bot's BM25 keyword search as a function, `keyword_chunks(bot, terms, k, filter, k1, b)`,
 * so that its statement runs on a generic plan (`plan_cache_mode = force_generic_plan`, the
 * function's own setting).
 *
 * As a prepared statement it never got one: the planner compares the generic plan's cost with
 * the custom plans' and, not knowing how many terms `term = ANY ($2)` holds, kept planning it
 * anew on every execution (30 custom plans of 30) — a third of its time. On the bench's queries
 * the generic plan ran it in 1.06 ms against 1.39 (400 queries interleaved, the same top-20 and
 * scores to the bit). PL/pgSQL keeps the plan per session, as a prepared statement does.
 *
 * The statement is `PgVectorStore.keywordSearch`'s as it was: BM25 from the postings of the
 * query terms (migration 0016), summed per chunk in term byte order, the bot's chunk count and
 * mean length from `keyword_statistics` (migration 0014); `k1` and `b` come from the caller (the
 * engine's constants). With a filter every scored chunk is joined to its row before the top k;
 * the scores are ordered (and so aggregated by hash, in term order) either way, so a filtered
 * search gives each chunk its unfiltered score to the bit, which the inline statement did not
 * always do (unordered, it could be planned with a sorting aggregate, summing in another order).
 */
export const keywordChunksMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE FUNCTION keyword_chunks(
        bot text, query_terms text[], top_k integer, chunk_filter jsonb, k1 double precision, b double precision)
      RETURNS TABLE (document_id text, chunk_index integer, content text, metadata jsonb, score double precision)
      LANGUAGE plpgsql STABLE
      SET plan_cache_mode = force_generic_plan
      AS $$
      #variable_conflict use_column
      BEGIN
        RETURN QUERY
        WITH stats AS MATERIALIZED (
          -- numeric division, as avg() did: the same mean to the last bit, so the same ranking
          SELECT s.chunks::float8 AS n,
                 coalesce(nullif(s.tokens::numeric / nullif(s.chunks, 0), 0), 1)::float8 AS mean_length,
                 k1 + 1 AS k1_plus_1, 1 - b AS one_minus_b
          FROM keyword_statistics s WHERE s.bot_id = bot
        ), postings AS MATERIALIZED (
          -- by term in byte order (the column is COLLATE "C"), as a tsvector orders its lexemes:
          -- each chunk's terms are summed in the same order as when they were read off its
          -- tsvector. A term's IDF is computed once per posting row, not once per hit
          SELECT p.document_id, p.chunk_indexes, p.term_frequencies, p.token_counts, s.mean_length,
                 s.k1_plus_1, s.one_minus_b, ln(1 + (s.n - p.df + 0.5) / (p.df + 0.5)) AS idf
          FROM (
            SELECT kp.term, kp.document_id, kp.chunk_indexes, kp.term_frequencies, kp.token_counts,
                   sum(cardinality(kp.chunk_indexes)) OVER (PARTITION BY kp.term)::float8 AS df
            FROM keyword_postings kp
            WHERE kp.bot_id = bot AND kp.term = ANY (query_terms)
          ) p, stats s
          ORDER BY p.term
        ), hits AS (
          SELECT p.idf, p.mean_length, p.k1_plus_1, p.one_minus_b, p.document_id,
                 unnest(p.chunk_indexes) AS chunk_index, unnest(p.term_frequencies)::float8 AS tf,
                 unnest(p.token_counts) AS token_count
          FROM postings p
        ), scored AS (
          SELECT h.document_id, h.chunk_index,
                 sum(h.idf * h.tf * h.k1_plus_1
                     / (h.tf + k1 * (h.one_minus_b + b * h.token_count / h.mean_length))) AS score
          FROM hits h
          GROUP BY h.document_id, h.chunk_index
        ), ranked AS (
          -- without a filter only the top k are joined to their rows for content
          SELECT * FROM scored
          ORDER BY score DESC, document_id, chunk_index
          LIMIT CASE WHEN chunk_filter IS NULL THEN top_k END
        )
        SELECT e.document_id, e.chunk_index, e.content, e.metadata, r.score
        FROM ranked r
        JOIN document_embeddings e
          ON e.bot_id = bot AND e.document_id = r.document_id AND e.chunk_index = r.chunk_index
        WHERE chunk_filter IS NULL OR e.metadata @> chunk_filter
        ORDER BY r.score DESC, e.document_id, e.chunk_index
        LIMIT top_k;
      END $$`.execute(db);
  },
};
