/**
 * One database session outside Kysely, inside a transaction: for what Kysely cannot express,
 * such as binary `COPY ... FROM STDIN`.
 */
export interface RawSession {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `COPY <table> (<columns>) FROM STDIN (FORMAT binary)` with `data` as the stream. */
  copyFromBinary(table: string, columns: readonly string[], data: Uint8Array): Promise<void>;
}
