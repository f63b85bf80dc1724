// Unicode control characters (C0, DEL, C1) except \n and \t: PDFs leak glyph ids (\x02\x03\x04…) as text.
const CONTROL = /[^\P{Cc}\n\t]/gu;

/**
 * Removes control characters from extracted text, keeping `\n` and `\t`; carriage returns,
 * vertical tabs and form feeds (page breaks) become line breaks.
 *
 * @example
 * stripControlCharacters("Re\u0002funds\fpaid"); // "Refunds\npaid"
 */
export function stripControlCharacters(text: string): string {
  return text.replace(/\r\n?|[\v\f]/g, "\n").replace(CONTROL, "");
}
