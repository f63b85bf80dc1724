/** Base class of the errors this package throws on purpose. */
export class StorageError extends Error {
  override readonly name: string = "StorageError";
}

/** The server lacks the pgvector extension. */
export class PgvectorMissingError extends StorageError {
  override readonly name = "PgvectorMissingError";
  constructor(detail?: string) {
    super(
      "pgvector is not installed on this PostgreSQL server: install pgvector " +
        "(Debian: `apt-get install postgresql-<major>-pgvector`, or build it from https://github.com/pgvector/pgvector) " +
        `and make sure the database user may run CREATE EXTENSION vector${detail ? ` (${detail})` : ""}`,
    );
  }
}

/** A write based on a stale read: the stored revision moved on, or a concurrent create won. */
export class ConflictError extends StorageError {
  override readonly name = "ConflictError";
  constructor(
    message: string,
    /** The revision now stored, when there is one. */
    readonly currentRevision?: number,
  ) {
    super(message);
  }
}

/** A row the call needs does not exist (for this bot). */
export class NotFoundError extends StorageError {
  override readonly name = "NotFoundError";
}

/** A list cursor that this package did not issue (tampered with, truncated or forged). */
export class InvalidCursorError extends StorageError {
  override readonly name = "InvalidCursorError";
  constructor() {
    super("invalid cursor: pass the next_cursor of the previous page unchanged");
  }
}

/** One problem with a workflow, as the engine's `validateWorkflow` reports it. */
export interface StoredWorkflowProblem {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

/** Publishing refused: the draft does not validate. Carries every problem. */
export class InvalidWorkflowError extends StorageError {
  override readonly name = "InvalidWorkflowError";
  constructor(readonly problems: readonly StoredWorkflowProblem[]) {
    super(
      `the draft workflow is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}): ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join("; ")}${problems.length > 5 ? "; …" : ""}`,
    );
  }
}
