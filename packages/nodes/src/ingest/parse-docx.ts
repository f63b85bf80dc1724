import mammoth from "mammoth";
import { checkDocxArchive, type DocxArchiveLimits } from "./check-docx-archive.ts";
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

// Text is all ingestion wants: images are never decompressed (mammoth would inline them as base64).
const SKIP_IMAGES = mammoth.images.imgElement(async () => ({ src: "" }));

/**
 * DOCX text via mammoth, as sections under their heading path (Heading 1–6 styles).
 * The archive is checked against `limits` before mammoth reads it ({@link checkDocxArchive}).
 * A corrupt, non-Word or over-limit archive fails with an IngestError.
 */
export async function parseDocx(
  bytes: Uint8Array,
  limits: DocxArchiveLimits = {},
  options: { signal?: AbortSignal } = {},
): Promise<{ sections: DocumentSection[] }> {
  await checkDocxArchive(bytes, limits, options);
  options.signal?.throwIfAborted();
  let html: string;
  try {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    html = (await mammoth.convertToHtml({ buffer }, { convertImage: SKIP_IMAGES })).value;
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
