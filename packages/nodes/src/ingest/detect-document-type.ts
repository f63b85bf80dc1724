import { IngestError } from "./ingest-error.ts";
import { looksLikeMarkdown } from "./looks-like-markdown.ts";

/** The document kinds ingestion reads. */
export type DocumentType = "pdf" | "docx" | "html" | "markdown" | "text";

/** MIME type of each kind. */
export const DOCUMENT_MIME_TYPES: Readonly<Record<DocumentType, string>> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  markdown: "text/markdown",
  text: "text/plain",
};

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const MARKDOWN_NAME = /\.(md|markdown|mdx)$/i;
const HTML_NAME = /\.(html?|xhtml)$/i;
const HTML_MIMES = ["text/html", "application/xhtml+xml"];
/** A document that opens as a web page does. */
const HTML_START =
  /^\s*(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])/i;
/** Block and inline tags of HTML prose, opening or closing. */
const HTML_TAG =
  /<\/?(?:p|div|span|h[1-6]|ul|ol|li|table|tr|td|th|br|a|b|i|em|strong|section|article|main|nav)(?:\s[^>]*)?\/?>/gi;

/** A fragment that starts with a tag and is made of tags (`<p>…</p> <p>…</p>`), checked after Markdown. */
function looksLikeHtmlFragment(head: string): boolean {
  return head.trimStart().startsWith("<") && (head.match(HTML_TAG)?.length ?? 0) >= 4;
}

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return magic.every((b, i) => bytes[at + i] === b);
}

function indexOfAscii(bytes: Uint8Array, needle: string, limit: number): number {
  const codes = [...needle].map((c) => c.charCodeAt(0));
  const end = Math.min(bytes.length - codes.length, limit);
  outer: for (let i = 0; i <= end; i++) {
    for (let j = 0; j < codes.length; j++) if (bytes[i + j] !== codes[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Tells a document's kind from its content — PDF magic, a ZIP holding `word/document.xml`,
 * otherwise text: Markdown when the name (`.md`, `.markdown`, `.mdx`) or the declared mime
 * (`text/markdown`) says so, or when the text looks like Markdown whatever its name
 * ({@link looksLikeMarkdown}: a `.txt` full of headings and lists is Markdown), plain text otherwise.
 * HTML when the name (`.html`, `.htm`) or mime (`text/html`) says so, or when the text is HTML
 * whatever its declared type (a page saved as `.txt`): it is converted to Markdown, never kept with its tags.
 * Refuses legacy/encrypted Office files and other binaries with an {@link IngestError}.
 */
export function detectDocumentType(bytes: Uint8Array, hints: { filename?: string; mime?: string } = {}): DocumentType {
  if (bytes.length === 0) throw new IngestError("EMPTY_FILE", "the file is empty");
  if (indexOfAscii(bytes, "%PDF-", 1024) !== -1) return "pdf";
  if (startsWith(bytes, ZIP_MAGIC)) {
    if (indexOfAscii(bytes, "word/", bytes.length) !== -1) return "docx";
    throw new IngestError("UNSUPPORTED_TYPE", "the file is a ZIP archive but not a Word (.docx) document");
  }
  if (startsWith(bytes, OLE_MAGIC)) {
    throw new IngestError(
      "ENCRYPTED",
      "the file is a password-protected Office document or a legacy .doc file; save it as an unprotected .docx or PDF",
    );
  }
  const name = hints.filename ?? "";
  const mime = (hints.mime ?? "").toLowerCase();
  if (MARKDOWN_NAME.test(name) || mime.startsWith("text/markdown") || mime.startsWith("text/x-markdown")) {
    return "markdown";
  }
  if (HTML_NAME.test(name) || HTML_MIMES.some((m) => mime.startsWith(m))) return "html";
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 16_384));
  if (HTML_START.test(head)) return "html";
  if (looksLikeMarkdown(head.replace(/\r\n?/g, "\n"))) return "markdown";
  return looksLikeHtmlFragment(head) ? "html" : "text";
}
