import { createHash } from "node:crypto";
import type { ChunkRecord, Embedder, VectorStore } from "@portflow/engine";
import { DEFAULT_DOCX_ARCHIVE_LIMITS, type DocxArchiveLimits } from "./check-docx-archive.ts";
import { checkFileSize } from "./check-file-size.ts";
import { type ChunkDocumentOptions, chunkDocument, type DocumentChunk } from "./chunk-document.ts";
import type { DocumentRecord, DocumentRecords } from "./document-records.ts";
import { IngestError } from "./ingest-error.ts";
import { parseDocument } from "./parse-document.ts";
import type { ParsedDocument } from "./parsed-document.ts";

/** An uploaded file. */
export interface IngestFile {
  readonly filename: string;
  readonly bytes: Uint8Array;
  /** The client's claim; used only to tell Markdown from text. The content decides the type. */
  readonly mime?: string;
}

/** Limits on what one document may be (the DOCX decompression limits included). */
export interface IngestLimits extends DocxArchiveLimits {
  /** Default 20 MiB. */
  readonly maxBytes?: number;
  /** PDF pages. Default 500. */
  readonly maxPages?: number;
  /** Default 5,000. */
  readonly maxChunks?: number;
}

/** Where ingestion is, for progress bars. `done`/`total` count chunks while embedding and storing. */
export interface IngestProgress {
  readonly stage: "parsing" | "chunking" | "embedding" | "storing" | "done";
  readonly done: number;
  readonly total: number;
}

/** What a {@link IngestDocumentOptions.parser} is given besides the file. */
export interface DocumentParserOptions extends Required<DocxArchiveLimits> {
  readonly maxPages: number;
  readonly signal?: AbortSignal;
}

/** Turns one file into text sections: `WorkerDocumentParser.parse` on a server, {@link parseDocument} in tests. */
export type DocumentParser = (file: IngestFile, options: DocumentParserOptions) => Promise<ParsedDocument>;

/** Options of {@link ingestDocument}. */
export interface IngestDocumentOptions<D extends DocumentRecord = DocumentRecord> {
  readonly botId: string;
  readonly file: IngestFile;
  readonly embedder: Embedder;
  readonly store: VectorStore;
  /** Document rows; enables duplicate detection by sha256. Without it the document id is derived from bot and sha256. */
  readonly documents?: DocumentRecords<D>;
  /** Chunk sizes in characters. Default 1000 / 150. */
  readonly chunking?: ChunkDocumentOptions;
  readonly limits?: IngestLimits;
  /** Texts per embedder call. Default 16. */
  readonly embedBatchSize?: number;
  readonly onProgress?: (progress: IngestProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Replaces {@link parseDocument} in this thread: a server passes `WorkerDocumentParser.parse`
   * (a worker thread with a memory cap); other formats, OCR, tests.
   */
  readonly parser?: DocumentParser;
  /** Replaces {@link chunkDocument} with `options.chunking`. */
  readonly chunker?: (sections: ParsedDocument["sections"]) => DocumentChunk[];
}

/** The outcome of {@link ingestDocument}. */
export interface IngestResult<D extends DocumentRecord = DocumentRecord> {
  /** The document row (storage's own type when `documents` was given). */
  readonly document: D;
  /** True when the same content was already ingested for this bot: nothing was changed. */
  readonly duplicate: boolean;
  readonly chunkCount: number;
  readonly pageCount?: number;
  readonly embeddingTokens: number;
  /** One line for the user: what happened. */
  readonly message: string;
}

/** What ingestion allows when {@link IngestDocumentOptions.limits} says nothing (20 MiB, 500 pages, 5,000 chunks, the DOCX limits). */
export const DEFAULT_INGEST_LIMITS = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxPages: 500,
  maxChunks: 5_000,
  ...DEFAULT_DOCX_ARCHIVE_LIMITS,
});

/** Hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function headedText(chunk: DocumentChunk): string {
  return chunk.metadata.heading ? `${chunk.metadata.heading}\n${chunk.content}` : chunk.content;
}

/**
 * Parse → chunk → embed (batched, with progress) → store, for one bot. Idempotent by sha256:
 * re-uploading the same bytes is a no-op that says so. All parsing and embedding happens before
 * anything is written; if writing fails, what was written is deleted, so a failure leaves nothing
 * half-stored. Empty, encrypted, corrupt, oversized and text-less files fail with an
 * {@link IngestError}.
 *
 * @example
 * const result = await ingestDocument({ botId, file: { filename: "faq.pdf", bytes }, embedder, store, documents });
 * result.message; // "faq.pdf: 12 chunks from 4 pages stored"
 */
export async function ingestDocument<D extends DocumentRecord = DocumentRecord>(
  options: IngestDocumentOptions<D>,
): Promise<IngestResult<D>> {
  const { botId, file, embedder, store, documents, signal } = options;
  const limits = { ...DEFAULT_INGEST_LIMITS, ...options.limits };
  const report = (stage: IngestProgress["stage"], done: number, total: number) =>
    options.onProgress?.({ stage, done, total });
  signal?.throwIfAborted();
  if (botId === "") throw new TypeError("ingestDocument needs a botId");
  checkFileSize(file.filename, file.bytes.byteLength, limits.maxBytes);

  const sha256 = sha256Hex(file.bytes);
  const existing = await documents?.findBySha256(botId, sha256, signal ? { signal } : {});
  if (existing && existing.status === "ready") {
    report("done", existing.chunkCount, existing.chunkCount);
    return {
      document: existing,
      duplicate: true,
      chunkCount: existing.chunkCount,
      embeddingTokens: 0,
      message: `${file.filename}: already ingested for this bot as document ${existing.id} (same sha256); nothing changed`,
    };
  }

  report("parsing", 0, 1);
  let parsed: ParsedDocument;
  const parserOptions: DocumentParserOptions = {
    maxPages: limits.maxPages,
    maxUncompressedBytes: limits.maxUncompressedBytes,
    maxDocxXmlBytes: limits.maxDocxXmlBytes,
    ...(signal ? { signal } : {}),
  };
  try {
    parsed = options.parser
      ? await options.parser(file, parserOptions)
      : await parseDocument(file.bytes, {
          ...parserOptions,
          filename: file.filename,
          ...(file.mime !== undefined ? { mime: file.mime } : {}),
        });
  } catch (error) {
    if (error instanceof IngestError) {
      throw new IngestError(error.code, `${file.filename}: ${error.message}`, {
        cause: error,
        ...(error.limit !== undefined && { limit: error.limit }),
      });
    }
    throw error;
  }
  signal?.throwIfAborted();

  report("chunking", 0, 1);
  const chunks = options.chunker ? options.chunker(parsed.sections) : chunkDocument(parsed.sections, options.chunking);
  if (chunks.length === 0) throw new IngestError("NO_TEXT", `${file.filename}: the document contains no text`);
  if (chunks.length > limits.maxChunks) {
    throw new IngestError(
      "TOO_MANY_CHUNKS",
      `${file.filename}: ${chunks.length} chunks is over the limit of ${limits.maxChunks}`,
      { limit: { name: "maxChunks", value: limits.maxChunks, unit: "chunks" } },
    );
  }

  const batchSize = Math.max(1, options.embedBatchSize ?? 16);
  const vectors: number[][] = [];
  let embeddingTokens = 0;
  report("embedding", 0, chunks.length);
  for (let i = 0; i < chunks.length; i += batchSize) {
    signal?.throwIfAborted();
    const batch = chunks.slice(i, i + batchSize);
    const result = await embedder.embed(batch.map(headedText), signal ? { signal } : {});
    if (result.vectors.length !== batch.length) {
      throw new Error(`the embedder returned ${result.vectors.length} vectors for ${batch.length} texts`);
    }
    vectors.push(...result.vectors);
    embeddingTokens += result.inputTokens;
    report("embedding", vectors.length, chunks.length);
  }
  signal?.throwIfAborted();

  // Writing starts here; from now on a failure removes whatever was written.
  if (existing) {
    // an earlier attempt that never became ready: replace it
    await store.deleteDocument(botId, existing.id);
    await documents?.delete(botId, existing.id);
  }
  let record: D | DocumentRecord;
  if (documents) {
    try {
      record = await documents.create(
        botId,
        {
          filename: file.filename,
          mimeType: parsed.mimeType,
          sha256,
          bytes: file.bytes.byteLength,
          status: "processing",
        },
        signal ? { signal } : {},
      );
    } catch (error) {
      // The same file, uploaded at the same time, got there first: this upload is the duplicate.
      const winner =
        error instanceof Error && error.name === "ConflictError"
          ? await documents.findBySha256(botId, sha256)
          : undefined;
      if (!winner) throw error;
      report("done", winner.chunkCount, winner.chunkCount);
      return {
        document: winner,
        duplicate: true,
        chunkCount: winner.chunkCount,
        embeddingTokens: 0,
        message: `${file.filename}: the same content is being (or was just) ingested for this bot as document ${winner.id}; nothing changed`,
      };
    }
  } else {
    record = {
      id: `doc_${sha256Hex(new TextEncoder().encode(`${botId}\n${sha256}`)).slice(0, 24)}`,
      filename: file.filename,
      mimeType: parsed.mimeType,
      sha256,
      bytes: file.bytes.byteLength,
      status: "processing",
      chunkCount: 0,
    };
  }
  const records: ChunkRecord[] = chunks.map((chunk, chunkIndex) => ({
    documentId: record.id,
    chunkIndex,
    content: chunk.content,
    metadata: { ...chunk.metadata, filename: file.filename, mime_type: parsed.mimeType },
    embedding: vectors[chunkIndex] as number[],
  }));
  let finished: D | DocumentRecord;
  try {
    report("storing", 0, records.length);
    // written without the caller's signal: a half-written upsert is worse than a late cancel
    await store.upsert(botId, records);
    report("storing", records.length, records.length);
    finished = documents
      ? ((await documents.update(botId, record.id, { status: "ready", chunkCount: records.length, error: null })) ??
        record)
      : { ...record, status: "ready", chunkCount: records.length };
  } catch (error) {
    await rollback(store, documents, botId, record.id);
    throw error;
  }
  report("done", records.length, records.length);
  const pages = parsed.pageCount !== undefined ? ` from ${parsed.pageCount} pages` : "";
  return {
    document: finished as D,
    duplicate: false,
    chunkCount: records.length,
    ...(parsed.pageCount !== undefined ? { pageCount: parsed.pageCount } : {}),
    embeddingTokens,
    message: `${file.filename}: ${records.length} chunk${records.length === 1 ? "" : "s"}${pages} stored`,
  };
}

async function rollback(
  store: VectorStore,
  documents: DocumentRecords<DocumentRecord> | undefined,
  botId: string,
  documentId: string,
): Promise<void> {
  // Best effort: the original error is what the caller needs to see.
  await store.deleteDocument(botId, documentId).catch(() => undefined);
  await documents?.delete(botId, documentId).catch(() => undefined);
}
