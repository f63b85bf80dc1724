/**
 * BM25 as every `VectorStore` scores keyword search, so the stores rank alike.
 * @module
 */

/** Term-frequency saturation. */
export const BM25_K1 = 1.2;
/** Length normalisation (0: none, 1: full). */
export const BM25_B = 0.75;

/** Counts above this are counted as this (a PostgreSQL `tsvector` keeps 255 positions per lexeme). */
export const BM25_MAX_TERM_FREQUENCY = 255;

/**
 * One term's BM25 contribution to one chunk: the Lucene form of IDF (never negative),
 * `ln(1 + (n - df + 0.5) / (df + 0.5))`, times the saturated, length-normalised term frequency.
 *
 * @param n chunks of the bot; `df` chunks holding the term; `tf` its count in this chunk;
 *   `length` this chunk's token count; `averageLength` the bot's mean token count.
 */
export function bm25TermScore(n: number, df: number, tf: number, length: number, averageLength: number): number {
  const f = Math.min(tf, BM25_MAX_TERM_FREQUENCY);
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  const norm = 1 - BM25_B + (BM25_B * length) / (averageLength > 0 ? averageLength : 1);
  return (idf * f * (BM25_K1 + 1)) / (f + BM25_K1 * norm);
}
