import type { ParsedDocument } from "./parsed-document.ts";

/**
 * A parsed document as one text: its sections in order, separated by a blank line, each section
 * that starts under a new heading led by that heading as a Markdown heading line (`## Refunds`),
 * so the text keeps the structure a model reads best.
 *
 * @example
 * parsedDocumentText(await parseDocument(bytes)); // "# Refunds\n\nWithin 30 days…"
 */
export function parsedDocumentText(parsed: ParsedDocument): string {
  const parts: string[] = [];
  let previous: readonly string[] = [];
  for (const section of parsed.sections) {
    const headings = section.headings ?? [];
    // Headings this section opens (those it does not share with the one before).
    let shared = 0;
    while (shared < headings.length && shared < previous.length && headings[shared] === previous[shared]) shared++;
    for (let level = shared; level < headings.length; level++) {
      parts.push(`${"#".repeat(Math.min(level + 1, 6))} ${headings[level]}`);
    }
    const text = section.text.trim();
    if (text !== "") parts.push(text);
    previous = headings;
  }
  return parts.join("\n\n");
}
