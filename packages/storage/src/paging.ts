import { InvalidCursorError } from "./storage-error.ts";

/** One page of an offset-paged list. */
export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

/** A page size clamped to 1..max; `fallback` when absent or not a number. */
export function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.min(max, Math.floor(limit)));
}

export function clampOffset(offset: number | undefined): number {
  return offset === undefined || !Number.isFinite(offset) ? 0 : Math.max(0, Math.floor(offset));
}

/** Where a keyset page ended: the last row's sort timestamp (as PostgreSQL prints it) and id. */
export interface Cursor {
  readonly ts: string;
  readonly id: string;
}

/** An opaque `next_cursor` for the row a page ended on. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.ts, cursor.id]), "utf8").toString("base64url");
}

/** A timestamp `::text` as PostgreSQL writes it: `2026-01-10 12:00:00.123456+00` (the offset may carry minutes). */
const CURSOR_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::[0-5]\d){0,2}$/;
/** Ids are text; refuse what no stored id can be (and PostgreSQL cannot take: NUL). */
const CURSOR_ID = /^[^\p{Cc}\p{Cs}]{1,200}$/u;

/** A timestamp the `::timestamptz` cast accepts: a real calendar date and time, an offset within ±15 h. */
function isCursorTimestamp(ts: string): boolean {
  const match = CURSOR_TIMESTAMP.exec(ts);
  if (match === null) return false;
  const [year, month, day, hour, minute, second, offset] = match.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second &&
    offset! <= 15
  );
}

/** The position a `next_cursor` names; anything else is an `InvalidCursorError`. */
export function decodeCursor(text: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [ts, id] = parsed as unknown[];
  if (typeof ts !== "string" || typeof id !== "string" || !isCursorTimestamp(ts) || !CURSOR_ID.test(id)) {
    throw new InvalidCursorError();
  }
  return { ts, id };
}
