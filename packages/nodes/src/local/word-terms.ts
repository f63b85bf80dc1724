/**
 * The terms the offline answer model matches a question against a sentence with: the tokens the
 * keyword index uses (`keywordTokens` in the engine: Latin words light-stemmed, Hangul and CJK as
 * character bigrams, script changes split a word), kept per word so each word of the question
 * weighs the same whatever its script.
 * @module
 */
import { lightStem } from "@portflow/engine";
import { HANGUL_ENDINGS, wordTokens } from "./text-features.ts";

const DENSE_SCRIPTS = "\\p{Script=Hangul}\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}";
/** A run of one kind within a word token: `promote되는` → `promote`, `되는`. */
const SCRIPT_RUN = new RegExp(`[${DENSE_SCRIPTS}]+|[^${DENSE_SCRIPTS}]+`, "gu");
const DENSE = new RegExp(`^[${DENSE_SCRIPTS}]`, "u");

// Function words, and the words that frame a question ("how long does it take", "무엇인가요"), not its topic.
const STOP_WORDS = new Set(
  [
    "a an and are as at be by can could do does for from get has have how i if in is it its long many much",
    "must need of often on or quick quickly should so soon take the there this to was what when where which",
    "who why will with would you your",
    "무엇 무엇인 무슨 뭐 어떻게 어떤 언제 얼마 얼마나 몇 며칠 왜 누가 어디 어디서 동안 수 있 있는 하 해야 되 인가",
  ]
    .join(" ")
    .split(" "),
);

/**
 * Korean endings a word loses before matching: polite verb endings and question endings first
 * (longest first), then one particle. `보관합니다` and `보관하나요` both become `보관`.
 */
const KOREAN_ENDINGS: readonly string[] = [
  // polite verb and question endings the embedder's stemmer keeps
  ...["하나요", "되나요", "인가요", "했나요", "니다", "나요", "가요", "해야", "하면", "하는", "되는"],
  ...HANGUL_ENDINGS,
].sort((a, b) => b.length - a.length); // longest first: a word loses its longest ending

function koreanStem(word: string): string {
  for (const ending of KOREAN_ENDINGS) {
    // a one-syllable particle needs two syllables left (한도 stays 한도); a longer ending one
    const keep = ending.length === 1 ? 2 : 1;
    if (word.length >= ending.length + keep && word.endsWith(ending)) return word.slice(0, -ending.length);
  }
  return word;
}

/** `promote`, `promoted`, `promoting` meet at `promot`: the engine's stem, less a final `e`. */
function englishStem(word: string): string {
  const stem = lightStem(word);
  return stem.length > 4 && stem.endsWith("e") ? stem.slice(0, -1) : stem;
}

/**
 * The terms of each content word of `text`, in order: one stem for a spaced-script word; for a
 * Korean/CJK word its stem (marked `=`) and the stem's character bigrams (a one-character stem
 * stays alone). Stop words and question framing words give nothing.
 *
 * @example
 * wordTerms("canary가 자동으로 promote되는 조건은?") // [["canary"], ["=자동", "자동"], ["promot"], ["=조건", "조건"]]
 */
export function wordTerms(text: string): (readonly string[])[] {
  const out: (readonly string[])[] = [];
  for (const token of wordTokens(text)) {
    let terms = TOKEN_TERMS.get(token);
    if (terms === undefined) {
      terms = tokenTerms(token);
      if (TOKEN_TERMS.size >= MAX_REMEMBERED_TOKENS) TOKEN_TERMS.clear();
      TOKEN_TERMS.set(token, terms);
    }
    for (const word of terms) out.push(word);
  }
  return out;
}

/**
 * The terms of each word of one token, remembered: a text's words recur across its sentences
 * and questions, and splitting a token by script with Unicode property classes is most of the cost.
 */
const TOKEN_TERMS = new Map<string, readonly (readonly string[])[]>();
const MAX_REMEMBERED_TOKENS = 50_000;

function tokenTerms(token: string): string[][] {
  const out: string[][] = [];
  for (const part of token.match(SCRIPT_RUN) ?? []) {
    if (!DENSE.test(part)) {
      if (!STOP_WORDS.has(part)) out.push([englishStem(part)]);
      continue;
    }
    const stem = koreanStem(part);
    // a bare particle after a Latin word ("backup은") is no word
    if (STOP_WORDS.has(stem) || KOREAN_ENDINGS.includes(part)) continue;
    // the whole stem as well as its bigrams: 저장 inside 저장소 matches only half
    const bigrams = Array.from({ length: stem.length - 1 }, (_, i) => stem.slice(i, i + 2));
    out.push(stem.length === 1 ? [stem] : [`=${stem}`, ...bigrams]);
  }
  return out;
}

/** Every term of `text`, once. */
export function termSet(text: string): Set<string> {
  return new Set(wordTerms(text).flat());
}
