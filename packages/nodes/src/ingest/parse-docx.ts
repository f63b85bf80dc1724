import mammoth from "mammoth";
import { checkDocxArchive, type DocxArchiveLimits } from "./check-docx-archive.ts";
import { docxHtmlToMarkdown } from "./docx-html-to-markdown.ts";
import { IngestError } from "./ingest-error.ts";
import { markdownSections } from "./parse-text.ts";
import type { DocumentSection } from "./parsed-document.ts";

// Text is all ingestion wants: images are never decompressed (mammoth would inline them as base64).
const SKIP_IMAGES = mammoth.images.imgElement(async () => ({ src: "" }));

/**
 * DOCX text via mammoth, converted to Markdown ({@link docxHtmlToMarkdown}: tables as Markdown
 * tables with their header row, nested lists kept, paragraphs of a cell apart), as sections under
 * their heading path (Heading 1–6 styles). A document of headings only yields its headings as text.
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
  const markdown = docxHtmlToMarkdown(html);
  const sections = markdownSections(markdown);
  // a document of headings only: the headings are its text
  if (sections.length === 0 && markdown !== "") {
    const text = markdown.replace(/^#{1,6}\s+/gm, "").trim();
    if (text !== "") return { sections: [{ text }] };
  }
  return { sections };
}
