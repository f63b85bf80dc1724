import { IngestError } from "./ingest-error.ts";
import type { DocumentSection } from "./parsed-document.ts";

const ATX_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const FENCE = /^(```|~~~)/;

/** Decodes UTF-8 (or UTF-16 with a BOM) text; binary content fails with an IngestError. */
export function decodeText(bytes: Uint8Array): string {
  let encoding = "utf-8";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = "utf-16le";
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = "utf-16be";
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch (error) {
    throw new IngestError("UNSUPPORTED_TYPE", "the file is neither PDF, DOCX nor UTF-8 text", { cause: error });
  }
  if (text.includes("\u0000")) {
    throw new IngestError("UNSUPPORTED_TYPE", "the file looks binary; only PDF, DOCX, Markdown and text are accepted");
  }
  return text.replace(/\r\n?/g, "\n");
}

/** Plain text: one section. */
export function parseText(bytes: Uint8Array): { sections: DocumentSection[] } {
  const text = decodeText(bytes);
  return { sections: text.trim() === "" ? [] : [{ text }] };
}

/** Markdown: sections under their ATX heading path (`#` … `######`), code fences respected. */
export function parseMarkdown(bytes: Uint8Array): { sections: DocumentSection[] } {
  return { sections: markdownSections(decodeText(bytes)) };
}

/** The sections of a Markdown text under their ATX heading path; `#` lines inside code fences are code. */
export function markdownSections(text: string): DocumentSection[] {
  const sections: DocumentSection[] = [];
  const headings: string[] = [];
  let lines: string[] = [];
  let inFence = false;
  const flush = () => {
    const body = lines.join("\n").trim();
    if (body !== "") sections.push({ text: body, headings: [...headings] });
    lines = [];
  };
  for (const line of text.split("\n")) {
    if (FENCE.test(line)) inFence = !inFence;
    const heading = inFence ? null : ATX_HEADING.exec(line);
    if (heading) {
      flush();
      const level = (heading[1] as string).length;
      headings.length = Math.min(headings.length, level - 1);
      headings.push(heading[2] as string);
    } else {
      lines.push(line);
    }
  }
  flush();
  return sections;
}
