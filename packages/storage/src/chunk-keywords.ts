import { BM25_MAX_TERM_FREQUENCY, keywordTokens } from "@portflow/engine";

/** Longest lexeme a `tsvector` takes is 2,047 bytes; keyword tokens are far shorter, this guards. */
const MAX_LEXEME_BYTES = 2_047;

/** What the keyword index stores for one chunk: term frequencies and the token count (BM25's length). */
export interface ChunkKeywords {
  /** Distinct token → occurrences (at most 255, as many as a `tsvector` keeps positions). */
  readonly lexemes: ReadonlyMap<string, number>;
  readonly tokenCount: number;
}

/** The keyword index entry of a chunk's content (tokens from `keywordTokens` in the engine). */
export function chunkKeywords(content: string): ChunkKeywords {
  const tokens = keywordTokens(content);
  const lexemes = new Map<string, number>();
  for (const token of tokens) {
    // at most 3 UTF-8 bytes per UTF-16 unit: only a long token needs its bytes counted
    if (token.length * 3 > MAX_LEXEME_BYTES && Buffer.byteLength(token, "utf8") > MAX_LEXEME_BYTES) continue;
    const count = lexemes.get(token) ?? 0;
    if (count < BM25_MAX_TERM_FREQUENCY) lexemes.set(token, count + 1);
  }
  return { lexemes, tokenCount: tokens.length };
}

/** A lexeme quoted for `tsvector`/`tsquery` text input (quotes doubled, backslashes escaped). */
export function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** The `tsvector` text form of an entry: `'lexeme':1,2 'other':1` (parsed without a text-search parser). */
export function tsvectorLiteral(keywords: ChunkKeywords): string {
  return [...keywords.lexemes]
    .map(([lexeme, count]) => `${quoteLexeme(lexeme)}:${Array.from({ length: count }, (_, i) => i + 1).join(",")}`)
    .join(" ");
}
