import type { DocxArchiveLimits } from "./check-docx-archive.ts";
import { DOCUMENT_MIME_TYPES, detectDocumentType } from "./detect-document-type.ts";
import { IngestError } from "./ingest-error.ts";
import { parseDocx } from "./parse-docx.ts";
import { parseHtml } from "./parse-html.ts";
import { parsePdf } from "./parse-pdf.ts";
import { parseMarkdown, parseText } from "./parse-text.ts";
import type { DocumentSection, ParsedDocument } from "./parsed-document.ts";

/** Options of {@link parseDocument}. */
export interface ParseDocumentOptions extends DocxArchiveLimits {
  /** Used only to tell Markdown from plain text; the content decides everything else. */
  readonly filename?: string;
  readonly mime?: string;
  /** PDFs with more pages fail with `TOO_MANY_PAGES`. */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
}

/**
 * Parses a PDF (text per page, via unpdf), DOCX (sections under headings, via mammoth),
 * HTML (converted to Markdown via turndown), Markdown (sections under headings) or plain text, detecting the kind from the content.
 * Empty, encrypted, corrupt, text-less and over-limit files (a DOCX decompressing past
 * `maxUncompressedBytes` / `maxDocxXmlBytes`) fail with an {@link IngestError}. It runs in the
 * calling thread: a server parses uploads with `WorkerDocumentParser` instead.
 *
 * @example
 * const parsed = await parseDocument(bytes, { filename: "faq.pdf" });
 * parsed.sections[0]; // { text: "…", page: 1 }
 */
export async function parseDocument(bytes: Uint8Array, options: ParseDocumentOptions = {}): Promise<ParsedDocument> {
  options.signal?.throwIfAborted();
  const type = detectDocumentType(bytes, {
    ...(options.filename !== undefined ? { filename: options.filename } : {}),
    ...(options.mime !== undefined ? { mime: options.mime } : {}),
  });
  let sections: DocumentSection[];
  let pageCount: number | undefined;
  switch (type) {
    case "pdf": {
      const pdf = await parsePdf(bytes, {
        ...(options.maxPages !== undefined ? { maxPages: options.maxPages } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      });
      sections = pdf.sections;
      pageCount = pdf.pageCount;
      break;
    }
    case "docx":
      sections = (
        await parseDocx(
          bytes,
          {
            ...(options.maxUncompressedBytes !== undefined && { maxUncompressedBytes: options.maxUncompressedBytes }),
            ...(options.maxDocxXmlBytes !== undefined && { maxDocxXmlBytes: options.maxDocxXmlBytes }),
          },
          options.signal !== undefined ? { signal: options.signal } : {},
        )
      ).sections;
      break;
    case "html":
      sections = parseHtml(bytes).sections;
      break;
    case "markdown":
      sections = parseMarkdown(bytes).sections;
      break;
    case "text":
      sections = parseText(bytes).sections;
      break;
  }
  const characters = sections.reduce((n, s) => n + s.text.trim().length, 0);
  if (characters === 0) {
    throw new IngestError(
      "NO_TEXT",
      type === "pdf"
        ? "the PDF has no extractable text (scanned images need OCR first)"
        : "the document contains no text",
    );
  }
  return {
    type,
    mimeType: DOCUMENT_MIME_TYPES[type],
    sections,
    characters,
    ...(pageCount !== undefined ? { pageCount } : {}),
  };
}
