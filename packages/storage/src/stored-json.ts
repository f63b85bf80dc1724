/**
 * Default cap on one stored JSON value (a run's or node's inputs, outputs or process data):
 * 64 KiB of UTF-8. Larger values are replaced by a truncated preview and flagged.
 */
export const DEFAULT_MAX_STORED_JSON_BYTES = 64 * 1024;

/** Marker object stored in place of a value over the limit. */
export interface TruncatedJson {
  readonly __truncated: true;
  readonly original_bytes: number;
  /** The first bytes of the JSON text (cut at a character boundary; not parseable JSON). */
  readonly preview: string;
}

export interface StoredJson {
  /** JSON text ready for a jsonb parameter. */
  readonly text: string;
  readonly truncated: boolean;
}

/**
 * JSON text for a jsonb column that never makes the insert fail: values that cannot be
 * serialised become `{ "__unserializable": reason }`, NUL characters (rejected by jsonb) are
 * replaced, and text over `maxBytes` becomes a `TruncatedJson` marker with `truncated: true`.
 */
export function toStoredJson(value: unknown, maxBytes: number = DEFAULT_MAX_STORED_JSON_BYTES): StoredJson {
  let text: string;
  try {
    text = JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
  } catch (error) {
    text = JSON.stringify({ __unserializable: error instanceof Error ? error.message : String(error) });
  }
  if (text.includes("\\u0000")) text = text.replaceAll("\\u0000", "\\ufffd");
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= maxBytes) return { text, truncated: false };
  const previewBytes = Math.max(0, Math.min(maxBytes - 256, 4096));
  const preview = Buffer.from(text, "utf8")
    .subarray(0, previewBytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  const marker: TruncatedJson = { __truncated: true, original_bytes: bytes, preview };
  return { text: JSON.stringify(marker), truncated: true };
}

/** JSON text for a jsonb parameter (no size cap). */
export function toJsonb(value: unknown): string {
  return toStoredJson(value, Number.POSITIVE_INFINITY).text;
}
