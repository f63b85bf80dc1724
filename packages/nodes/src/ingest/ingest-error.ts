/** Why a document could not be ingested. */
export type IngestErrorCode =
  | "EMPTY_FILE"
  | "TOO_LARGE"
  | "TOO_MANY_PAGES"
  | "TOO_MANY_CHUNKS"
  | "ENCRYPTED"
  | "CORRUPT"
  | "UNSUPPORTED_TYPE"
  | "NO_TEXT";

/**
 * A document that cannot be ingested, with a code an HTTP layer can map (`TOO_LARGE` → 413,
 * the rest → 400/422) and a message a user can act on.
 */
export class IngestError extends Error {
  override readonly name = "IngestError";
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
