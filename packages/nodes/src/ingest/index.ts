/**
 * `@portflow/nodes/ingest` — document ingestion: parse (PDF via unpdf, DOCX via mammoth,
 * Markdown, text; type detected from content; DOCX decompression bounded; in a memory-capped worker
 * thread with {@link WorkerDocumentParser}), chunk (recursive splitter, pages and headings in
 * metadata), embed and store, idempotently per bot.
 * @module
 */

export { checkDocxArchive, DEFAULT_DOCX_ARCHIVE_LIMITS, type DocxArchiveLimits } from "./check-docx-archive.ts";
export { checkFileSize } from "./check-file-size.ts";
export {
  type ChunkDocumentOptions,
  type ChunkMetadata,
  chunkDocument,
  type DocumentChunk,
} from "./chunk-document.ts";
export { DOCUMENT_MIME_TYPES, type DocumentType, detectDocumentType } from "./detect-document-type.ts";
export type {
  DocumentRecord,
  DocumentRecordPatch,
  DocumentRecordStatus,
  DocumentRecords,
  NewDocumentRecord,
} from "./document-records.ts";
export { formatByteSize } from "./format-byte-size.ts";
export { htmlToMarkdown } from "./html-to-markdown.ts";
export {
  DEFAULT_INGEST_LIMITS,
  type DocumentParser,
  type DocumentParserOptions,
  type IngestDocumentOptions,
  type IngestFile,
  type IngestLimits,
  type IngestProgress,
  type IngestResult,
  ingestDocument,
  sha256Hex,
} from "./ingest-document.ts";
export { IngestError, type IngestErrorCode, type IngestLimit, type IngestLimitName } from "./ingest-error.ts";
export { type ParseDocumentOptions, parseDocument } from "./parse-document.ts";
export type { DocumentSection, ParsedDocument } from "./parsed-document.ts";
export { splitText, type TextSpan, type TextSplitterOptions } from "./recursive-text-splitter.ts";
export { WorkerDocumentParser, type WorkerDocumentParserOptions } from "./worker-document-parser.ts";
