import { htmlToMarkdown } from "./html-to-markdown.ts";
import { decodeText, markdownSections } from "./parse-text.ts";
import type { DocumentSection } from "./parsed-document.ts";

/** HTML: converted to Markdown, then sections under their heading path like Markdown. */
export function parseHtml(bytes: Uint8Array): { sections: DocumentSection[] } {
  return { sections: markdownSections(htmlToMarkdown(decodeText(bytes))) };
}
