/**
 * Lexical features shared by the offline providers: Unicode-aware word tokens and hashing.
 * @module
 */

const WORD = /[\p{L}\p{N}]+/gu;
/** Scripts written without spaces between morphemes benefit from short character n-grams. */
const DENSE_SCRIPT = /[\p{Script=Hangul}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Lower-cased, NFKC-normalised word tokens (letters and digits, any script). */
export function wordTokens(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(WORD) ?? [];
}

/** Whether a token is in a script where character bigrams carry meaning (Korean, Chinese, Japanese). */
export function isDenseScript(token: string): boolean {
  return DENSE_SCRIPT.test(token);
}

export const HANGUL_ENDINGS: readonly string[] = [
  "입니다",
  "습니다",
  "합니다",
  "됩니다",
  "에서",
  "에게",
  "으로",
  "까지",
  "부터",
  "은",
  "는",
  "이",
  "가",
  "을",
  "를",
  "에",
  "의",
  "도",
  "로",
  "와",
  "과",
  "만",
];

/**
 * A light stem: Korean words lose one common particle or polite ending (환불은 → 환불),
 * English words of four letters or more lose a plural `s` (refunds → refund).
 * Returns the token unchanged when nothing applies.
 */
export function lightStem(token: string): string {
  if (/\p{Script=Hangul}/u.test(token)) {
    for (const ending of HANGUL_ENDINGS) {
      if (token.length > ending.length + 1 && token.endsWith(ending)) return token.slice(0, -ending.length);
    }
    return token;
  }
  if (token.length > 4 && token.endsWith("ies")) return `${token.slice(0, -3)}y`; // batteries → battery
  return token.length > 3 && token.endsWith("s") && !token.endsWith("ss") ? token.slice(0, -1) : token;
}

/** 32-bit FNV-1a over UTF-16 code units, seeded so word and n-gram features hash apart. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
