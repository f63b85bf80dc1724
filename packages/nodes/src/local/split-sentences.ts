/**
 * A source's text as the sentences the offline answer model may quote.
 * @module
 */

const SENTENCE_END = /(?<=[.!?。！？])\s+/u;
const ENDS_SENTENCE = /[.!?。！？:]$/u;
/** Lines that stand on their own: headings, list items, table rows, quotes. */
const OWN_LINE = /^(?:#{1,6}\s|[-*+•▪◦]\s|\d{1,3}[.)]\s|\||>\s?)/u;
const FENCE = /^(```|~~~)/;

/**
 * Sentences of a source. Lines of a paragraph are joined back (a PDF wraps lines anywhere, even
 * inside a Korean word), while headings, list items, table rows and code lines stay their own
 * pieces, so a quote is neither cut at a line break nor glued to a heading.
 */
export function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  let current = "";
  let closed = false;
  const flush = () => {
    if (current !== "") pieces.push(...current.split(SENTENCE_END));
    current = "";
  };
  let inFence = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (FENCE.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence || line === "") {
      flush();
      if (line !== "") pieces.push(line);
      continue;
    }
    const own = OWN_LINE.test(line);
    if (own || closed) flush();
    current = current === "" ? line : `${current} ${line}`;
    // a heading or table row ends at its line; a list item may wrap onto the next
    closed = /^(?:#{1,6}\s|\|)/.test(line);
  }
  flush();
  return pieces.map((p) => p.replace(/\s+/g, " ").trim()).filter((p) => p.length >= 2);
}

/** A heading or label rather than a statement: very short, no closing punctuation, no figure. */
export function isFragment(sentence: string): boolean {
  return !ENDS_SENTENCE.test(sentence) && !/\d/.test(sentence) && sentence.split(" ").length < 3;
}
