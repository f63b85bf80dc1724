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
const WORD_CHARACTER = /[\p{L}\p{N}\p{M}]/u;

/** What a code point is to the tokenizer. */
const SEPARATOR = 0;
const WORD = 1;
const BIGRAM = 2;

/**
 * Code point → class + 1 (0: not looked up yet), filled as code points are met: testing a
 * Unicode-property regex per character was most of the cost of indexing a chunk, and ingest
 * indexes every chunk. 1.1 MB, allocated on first use.
 */
let classes: Uint8Array | undefined;

function classOf(codePoint: number): number {
  if (codePoint < 0x80) {
    const lower = codePoint | 0x20;
    return (lower >= 0x61 && lower <= 0x7a) || (codePoint >= 0x30 && codePoint <= 0x39) ? WORD : SEPARATOR;
  }
  if (codePoint >= 0xac00 && codePoint <= 0xd7a3) return BIGRAM; // Hangul syllables
  classes ??= new Uint8Array(0x110000);
  const known = classes[codePoint] ?? 0;
  if (known !== 0) return known - 1;
  const character = String.fromCodePoint(codePoint);
  const cls = BIGRAM_SCRIPT.test(character) ? BIGRAM : WORD_CHARACTER.test(character) ? WORD : SEPARATOR;
  classes[codePoint] = cls + 1;
  return cls;
}

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
  const s = text.normalize("NFKC").toLowerCase();
  // one pass over the code points: a run is a maximal stretch of one class (word or bigram script)
  let runClass = SEPARATOR;
  let runStart = 0;
  let previous = 0; // offset of the previous character of a bigram run
  let runLength = 0; // characters in the current bigram run
  const endWord = (end: number) => {
    if (end - runStart > MAX_WORD_LENGTH) return;
    const word = s.slice(runStart, end);
    if (!STOPWORDS.has(word)) tokens.push(lightStem(word));
  };
  for (let i = 0; i <= s.length; ) {
    const codePoint = i < s.length ? (s.codePointAt(i) as number) : -1;
    const width = codePoint > 0xffff ? 2 : 1;
    const cls = codePoint === -1 ? SEPARATOR : classOf(codePoint);
    if (cls !== runClass) {
      if (runClass === WORD) endWord(i);
      else if (runClass === BIGRAM && runLength === 1) tokens.push(s.slice(runStart, i));
      runClass = cls;
      runStart = i;
      runLength = 0;
    }
    if (cls === BIGRAM) {
      if (runLength > 0) tokens.push(s.slice(previous, i + width));
      previous = i;
      runLength++;
    }
    i += width;
  }
  return tokens;
}

/** The distinct tokens of a query, in first-seen order (what a keyword search looks for). */
export function keywordQueryTerms(text: string): string[] {
  return [...new Set(keywordTokens(text))];
}
