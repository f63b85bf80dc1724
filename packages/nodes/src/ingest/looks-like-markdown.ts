/** Lines that only Markdown writes, by kind. */
const HEADING = /^#{1,6}[^\S\n]+\S/;
const LIST_ITEM = /^[^\S\n]*(?:[-*+]|\d{1,3}[.)])[^\S\n]+\S/;
const FENCE = /^[^\S\n]{0,3}(?:```|~~~)/;
const TABLE_ROW = /^\|.*\|[^\S\n]*$/;
const TABLE_RULE = /^\|?[^\S\n]*:?-{3,}:?[^\S\n]*(?:\|[^\S\n]*:?-{3,}:?[^\S\n]*)*\|?[^\S\n]*$/;

/** How much of a text is read to decide. */
const SAMPLE_CHARS = 16_384;
/** Markdown when the syntax lines weigh at least this much… */
export const MARKDOWN_MIN_SCORE = 2;
/** …and make up at least this share of the non-empty lines. */
export const MARKDOWN_MIN_SHARE = 0.1;

/**
 * Whether plain text is written in Markdown, from its first 16 KiB: ATX headings and code
 * fences weigh 2, list items, table rows and table rules 1. It is Markdown when the weights add up
 * to at least {@link MARKDOWN_MIN_SCORE} with at least one heading or fence, and syntax lines are
 * at least {@link MARKDOWN_MIN_SHARE} of the non-empty lines. A few dashes in prose stay text.
 *
 * @example
 * looksLikeMarkdown("# Runbook\n\n## Deploy\n\n- step one\n- step two"); // true
 * looksLikeMarkdown("Dear team,\n- the usual caveat applies.\nThanks."); // false
 */
export function looksLikeMarkdown(text: string): boolean {
  const lines = text.slice(0, SAMPLE_CHARS).split("\n");
  let score = 0;
  let structural = 0;
  let syntaxLines = 0;
  let nonEmpty = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    nonEmpty++;
    let weight = 0;
    if (HEADING.test(line) || FENCE.test(line)) {
      weight = 2;
      structural++;
    } else if (LIST_ITEM.test(line) || TABLE_ROW.test(line) || TABLE_RULE.test(line)) {
      weight = 1;
    }
    if (weight > 0) syntaxLines++;
    score += weight;
  }
  return structural > 0 && score >= MARKDOWN_MIN_SCORE && syntaxLines >= nonEmpty * MARKDOWN_MIN_SHARE;
}
