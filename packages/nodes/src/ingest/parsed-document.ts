import type { DocumentType } from "./detect-document-type.ts";

/** A run of document text with where it sits: a PDF page, or the headings above it. */
export interface DocumentSection {
  readonly text: string;
  /** 1-based page number (PDF). */
  readonly page?: number;
  /** Heading path, outermost first (DOCX, Markdown). */
  readonly headings?: readonly string[];
}

/** A document turned into text sections. */
export interface ParsedDocument {
  readonly type: DocumentType;
  readonly mimeType: string;
  readonly sections: readonly DocumentSection[];
  /** PDFs only. */
  readonly pageCount?: number;
  /** Total characters of text across sections. */
  readonly characters: number;
}
