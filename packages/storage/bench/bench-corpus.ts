/**
 * The storage bench's synthetic corpus: Korean-like words and English terms drawn with a skew
 * (common words repeat, as in real text), ~1,000-character chunks, and random vectors.
 * @module
 */

const SYLLABLES =
  "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호구누두루무부수우주추";
const ENGLISH =
  "deploy rollback canary backup restore incident oncall database schema migration release token policy access review alert".split(
    " ",
  );

/** A vocabulary of Korean-like words and English terms; chunks draw from it with a skew (common words repeat). */
export function vocabulary(random: () => number): string[] {
  const words: string[] = [...ENGLISH];
  while (words.length < 3_000) {
    const length = 2 + Math.floor(random() * 3);
    words.push(Array.from({ length }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(""));
  }
  return words;
}

/** About 1,000 characters of text, like a real chunk (so TOAST matters as it does in production). */
export function chunkText(words: readonly string[], random: () => number): string {
  const out: string[] = [];
  let length = 0;
  while (length < 1_000) {
    const word = words[Math.floor(random() ** 2 * words.length)]!;
    out.push(word);
    length += word.length + 1;
  }
  return out.join(" ");
}

/** A vector uniform in [-1, 1]^dimensions. */
export function randomVector(random: () => number, dimensions: number): number[] {
  const v = new Array<number>(dimensions);
  for (let i = 0; i < dimensions; i++) v[i] = random() * 2 - 1;
  return v;
}
