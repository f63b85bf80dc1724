/**
 * JSON for jsonb columns, lossless for text jsonb cannot hold.
 *
 * jsonb refuses U+0000 and lone UTF-16 surrogates (`22P02`), which user text (a chat message, run
 * inputs, a workflow's strings) may contain. They are stored as `ESCAPE_MARKER` followed by the
 * code unit in four lower-case hex digits (`\uFDD0` `0000` for U+0000, `\uFDD0` `d800` for a lone
 * U+D800); the marker itself is stored as `\uFDD0` `fdd0`, so every marker in stored text starts
 * an escape and decoding is unambiguous. U+FDD0 is a Unicode noncharacter, set aside for
 * internal use like this. Keys are escaped like values. Readers call `fromStoredJson`.
 * @module
 */

/**
 * Default cap on a run's inputs as its row shows them: 64 KiB of UTF-8. Larger inputs are replaced
 * by a truncated preview and flagged. Node values and run outputs are never cut: they go whole to
 * `run_values` (see `run-values.ts`).
 */
export const DEFAULT_MAX_STORED_JSON_BYTES = 64 * 1024;

/**
 * Deepest nesting written to a jsonb column. PostgreSQL parses jsonb recursively: PGlite stops
 * answering somewhere between 6,000 and 8,000 levels, so storage refuses long before that.
 */
export const MAX_STORED_JSON_DEPTH = 1_000;

/** Starts an escaped code unit in stored JSON text (a Unicode noncharacter). */
export const ESCAPE_MARKER = "\uFDD0";

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
 * In JSON.stringify output: an escaped backslash (consumed so that `\\u0000` is not misread), a
 * surrogate pair written as escapes (kept), a NUL or lone surrogate escape, or a raw marker.
 */
const UNSTORABLE = /\\(?:\\|u(?:d[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}|0000|d[89a-f][0-9a-f]{2}))|\uFDD0/gi;
const ESCAPED = /\uFDD0([0-9a-f]{4})/g;

function escapeUnstorable(text: string): string {
  if (!text.includes("\\u") && !text.includes(ESCAPE_MARKER)) return text;
  return text.replace(UNSTORABLE, (match) => {
    if (match === ESCAPE_MARKER) return `${ESCAPE_MARKER}fdd0`;
    if (match.length === 6) return `${ESCAPE_MARKER}${match.slice(2).toLowerCase()}`;
    return match; // `\\` or a surrogate pair
  });
}

function unescapeText(text: string): string {
  return text.includes(ESCAPE_MARKER)
    ? text.replace(ESCAPED, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : text;
}

/**
 * The path (`a.b[0]`) where `value` nests deeper than `maxDepth` containers, if it does.
 * Iterative: safe on any depth.
 */
export function findTooDeep(value: unknown, maxDepth: number): string | undefined {
  // the common case without a path string per element; the path walk only when there is one to name
  if (!exceedsDepth(value, maxDepth)) return undefined;
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 1, path: "" }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (current === null || typeof current !== "object") continue;
    if (item.depth > maxDepth) return item.path === "" ? "(root)" : item.path;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        stack.push({ value: current[i], depth: item.depth + 1, path: `${item.path}[${i}]` });
      }
    } else {
      for (const [key, child] of Object.entries(current)) {
        stack.push({ value: child, depth: item.depth + 1, path: item.path === "" ? key : `${item.path}.${key}` });
      }
    }
  }
  return undefined;
}

function serialize(value: unknown): string {
  const tooDeep = findTooDeep(value, MAX_STORED_JSON_DEPTH);
  if (tooDeep !== undefined) {
    return JSON.stringify({ __unserializable: `nested deeper than ${MAX_STORED_JSON_DEPTH} levels at ${tooDeep}` });
  }
  try {
    // without a replacer first: a replacer takes JSON.stringify off its fast path for every value
    return JSON.stringify(value ?? null) ?? "null";
  } catch {
    try {
      return JSON.stringify(value ?? null, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? "null";
    } catch (error) {
      return JSON.stringify({ __unserializable: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Whether `value` nests objects or arrays deeper than `maxDepth` (runs on every stored value). */
function exceedsDepth(value: unknown, maxDepth: number): boolean {
  if (value === null || typeof value !== "object") return false;
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > maxDepth) return true;
    if (Array.isArray(current)) {
      for (const child of current) {
        if (child !== null && typeof child === "object") {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in current) {
        if (!Object.hasOwn(current, key)) continue;
        const child: unknown = (current as Record<string, unknown>)[key];
        if (child !== null && typeof child === "object") {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/**
 * JSON text for a jsonb column that never makes the insert fail: values that cannot be
 * serialised (cycles, nesting deeper than MAX_STORED_JSON_DEPTH) become
 * `{ "__unserializable": reason }`, U+0000 and lone surrogates are escaped losslessly (read the
 * column back through `fromStoredJson`), and text over `maxBytes` becomes a `TruncatedJson`
 * marker with `truncated: true`.
 */
export function toStoredJson(value: unknown, maxBytes: number = DEFAULT_MAX_STORED_JSON_BYTES): StoredJson {
  const text = escapeUnstorable(serialize(value));
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= maxBytes) return { text, truncated: false };
  const previewBytes = Math.max(0, Math.min(maxBytes - 256, 4096));
  const preview = Buffer.from(text, "utf8")
    .subarray(0, previewBytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "")
    .replace(/\uFDD0[0-9a-f]{0,3}$/, ""); // an escape cut in half
  const marker: TruncatedJson = { __truncated: true, original_bytes: bytes, preview };
  return { text: JSON.stringify(marker), truncated: true };
}

/** JSON text for a jsonb parameter (no size cap), escaped as `toStoredJson` does. */
export function toJsonb(value: unknown): string {
  return escapeUnstorable(serialize(value));
}

/**
 * Undoes `toStoredJson`'s escapes in a value read from a jsonb column, in place (the value is
 * the driver's freshly parsed copy). Iterative; returns the value (a string is returned decoded).
 */
export function fromStoredJson<T>(value: T): T {
  if (typeof value === "string") return unescapeText(value) as T;
  const stack: unknown[] = [value];
  for (let current = stack.pop(); current !== undefined; current = stack.pop()) {
    if (current === null || typeof current !== "object") continue;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const child: unknown = current[i];
        if (typeof child === "string") current[i] = unescapeText(child);
        else if (child !== null && typeof child === "object") stack.push(child);
      }
      continue;
    }
    const record = current as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      const decoded = typeof child === "string" ? unescapeText(child) : child;
      if (child !== null && typeof child === "object") stack.push(child);
      const decodedKey = unescapeText(key);
      if (decodedKey !== key) delete record[key];
      if (decodedKey !== key || decoded !== child) {
        // defineProperty: a key such as "__proto__" stays a plain own property.
        Object.defineProperty(record, decodedKey, {
          value: decoded,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
    }
  }
  return value;
}
