import { sqlState } from "./pg-error.ts";
import { StorageError } from "./storage-error.ts";

/** The `code` a {@link DatabaseUnavailableError} carries (kept when the engine records a failed node). */
export const DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE";

/**
 * The database server cannot be reached or is not accepting work right now (down, restarting,
 * connection lost): an outage to report and retry later, not a bug.
 */
export class DatabaseUnavailableError extends StorageError {
  override readonly name = "DatabaseUnavailableError";
  readonly code = DATABASE_UNAVAILABLE;
  constructor(cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Socket-level failures reaching the server. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** What `pg` and `pg-pool` throw (without a code) when a connection is lost or cannot be had in time. */
const PG_CONNECTION_MESSAGES = [
  "timeout exceeded when trying to connect",
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "Client was closed and is not queryable",
];

/**
 * True when `error` says the database is unavailable: a {@link DatabaseUnavailableError}, SQLSTATE
 * class 08 (connection exception), 57P01–57P03 (admin/crash shutdown, cannot connect now), a
 * refused/reset/timed-out socket, a lost `pg` connection or a pool connect timeout. Looks through
 * `cause` chains and AggregateErrors (several addresses tried).
 *
 * @example
 * if (isDatabaseUnavailable(error)) return reply.status(503).send(...);
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return unavailable(error, 0);
}

function unavailable(error: unknown, depth: number): boolean {
  if (typeof error !== "object" || error === null || depth > 5) return false;
  if (error instanceof DatabaseUnavailableError) return true;
  const code = sqlState(error);
  if (code !== undefined) {
    if (code === DATABASE_UNAVAILABLE || NETWORK_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || code === "57P01" || code === "57P02" || code === "57P03") return true;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === "string" && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m))) return true;
  if (error instanceof AggregateError && error.errors.some((e) => unavailable(e, depth + 1))) return true;
  return unavailable((error as { cause?: unknown }).cause, depth + 1);
}

/** Rethrows `error`, as a {@link DatabaseUnavailableError} when it says the database is unavailable. */
export function rethrowUnavailable(error: unknown): never {
  throw isDatabaseUnavailable(error) && !(error instanceof DatabaseUnavailableError)
    ? new DatabaseUnavailableError(error)
    : error;
}
