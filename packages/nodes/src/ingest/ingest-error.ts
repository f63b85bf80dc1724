/** Why a document could not be ingested. */
export type IngestErrorCode =
  | "EMPTY_FILE"
  | "TOO_LARGE"
  /** A DOCX whose parts decompress to more than a limit allows (a zip bomb, or just too big). */
  | "ARCHIVE_TOO_LARGE"
  | "TOO_MANY_PAGES"
  | "TOO_MANY_CHUNKS"
  /** Parsing needed more memory or time than it is given. */
  | "PARSE_LIMIT_EXCEEDED"
  | "ENCRYPTED"
  | "CORRUPT"
  | "UNSUPPORTED_TYPE"
  | "NO_TEXT";

/** The limits an {@link IngestError} can name (options of ingestion and of the worker parser). */
export type IngestLimitName =
  | "maxBytes"
  | "maxUncompressedBytes"
  | "maxDocxXmlBytes"
  | "maxPages"
  | "maxChunks"
  | "memoryMb"
  | "timeoutMs";

/** The limit a document went over. */
export interface IngestLimit {
  readonly name: IngestLimitName;
  readonly value: number;
  readonly unit: "bytes" | "MiB" | "ms" | "pages" | "chunks";
  /** The configuration that sets it, when the caller named one (e.g. an environment variable). */
  readonly setting?: string;
}

/**
 * A document that cannot be ingested, with a code an HTTP layer can map (`TOO_LARGE` and
 * `ARCHIVE_TOO_LARGE` → 413, the rest → 400/422), a message a user can act on and, when a limit
 * was hit, which one.
 */
export class IngestError extends Error {
  override readonly name = "IngestError";
  readonly limit?: IngestLimit;
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    options?: { cause?: unknown; limit?: IngestLimit },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    if (options?.limit !== undefined) this.limit = options.limit;
  }
}
