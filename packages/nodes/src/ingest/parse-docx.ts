import mammoth from "mammoth";
import { IngestError } from "./ingest-error.ts";
import type { DocumentSection } from "./parsed-document.ts";

const BLOCK = /<(h[1-6]|p|li|th|td|caption)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g;
const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
      if (entity[0] === "#") {
        const code =
          entity[1] === "x" || entity[1] === "X" ? Number.parseInt(entity.slice(2), 16) : Number(entity.slice(1));
        return Number.isFinite(code) ? String.fromCodePoint(code) : match;
      }
      return ENTITIES[entity.toLowerCase()] ?? match;
    })
    .trim();
}

/**
 * DOCX text via mammoth, as sections under their heading path (Heading 1–6 styles).
 * A corrupt or non-Word archive fails with an IngestError.
 */
export async function parseDocx(bytes: Uint8Array): Promise<{ sections: DocumentSection[] }> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }))
      .value;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new IngestError("CORRUPT", `the DOCX cannot be read (${detail})`, { cause: error });
  }
  const sections: DocumentSection[] = [];
  const headings: string[] = [];
  let paragraphs: string[] = [];
  const flush = () => {
    if (paragraphs.length > 0) sections.push({ text: paragraphs.join("\n\n"), headings: [...headings] });
    paragraphs = [];
  };
  for (const match of html.matchAll(BLOCK)) {
    const tag = match[1] as string;
    const text = decodeHtml(match[2] as string);
    if (text === "") continue;
    if (tag.startsWith("h")) {
      flush();
      const level = Number(tag[1]);
      headings.length = Math.min(headings.length, level - 1);
      headings.push(text);
    } else {
      paragraphs.push(tag === "li" ? `- ${text}` : text);
    }
  }
  flush();
  return { sections };
}
