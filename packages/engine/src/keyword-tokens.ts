/**
 * The tokens the keyword index is built from, computed in TypeScript so that PGlite, PostgreSQL
 * and the in-memory store agree (PostgreSQL's full-text parser has no Korean and depends on the
 * database locale).
 * @module
 */

/** Longest word kept; longer runs (hashes, base64) are noise for keyword search. */
const MAX_WORD_LENGTH = 64;

/** Scripts without spaces between words, or whose words carry particles: indexed as character bigrams. */
const BIGRAM_SCRIPT = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const RUN =
  /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]+|(?:(?![\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])[\p{L}\p{N}\p{M}])+/gu;

/** English words too common to tell chunks apart. */
const STOPWORDS = new Set(
  "a an and are as at be but by do does for from how i in is it of on or that the this to was what when where which who why will with you your".split(
    " ",
  ),
);

/**
 * A light English stemmer: plural and verb endings, so `refunds`/`refund` and
 * `deploying`/`deployed`/`deploy` meet. Deliberately small: no dictionary, no over-stemming
 * of short words.
 */
export function lightStem(word: string): string {
  if (!/^[a-z]+$/.test(word) || word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/.test(word)) return word;
  if (/(?:sses|xes|zes|ches|shes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s")) return word.slice(0, -1);
  if (word.endsWith("ing") && word.length > 5) return undouble(word.slice(0, -3));
  if (word.endsWith("ed") && word.length > 4) return undouble(word.slice(0, -2));
  return word;
}

/** `stopped` → `stopp` → `stop`: the doubled consonant of an inflection goes too. */
function undouble(stem: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(stem) && !/(?:ll|ss|zz)$/.test(stem) ? stem.slice(0, -1) : stem;
}

/**
 * Splits text into keyword tokens, in order and with repeats (term frequency counts): NFKC,
 * lower case; Latin, Cyrillic and other spaced scripts as words (light-stemmed, stopwords
 * dropped); Hangul and CJK runs as overlapping character bigrams (a single character alone);
 * digits as words.
 *
 * @example
 * keywordTokens("Refunds: 환불은 5일") // ["refund", "환불", "불은", "5", "일"]
 */
export function keywordTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const [run] of text.normalize("NFKC").toLowerCase().matchAll(RUN)) {
    if (BIGRAM_SCRIPT.test(run)) {
      const chars = Array.from(run);
      if (chars.length === 1) tokens.push(run);
      for (let i = 0; i + 1 < chars.length; i++) tokens.push(`${chars[i]}${chars[i + 1]}`);
      continue;
    }
    if (run.length > MAX_WORD_LENGTH || STOPWORDS.has(run)) continue;
    tokens.push(lightStem(run));
  }
  return tokens;
}

/** The distinct tokens of a query, in first-seen order (what a keyword search looks for). */
export function keywordQueryTerms(text: string): string[] {
  return [...new Set(keywordTokens(text))];
}
