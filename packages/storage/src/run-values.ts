/**
 * Run values stored once per run (`run_values`, migration 0011). A recorded section (a node's
 * inputs, outputs or process data, a run's outputs) is split port by port: small values stay
 * inline in the row's JSON column, each larger one is written whole to `run_values` under the
 * sha256 of its JSON text, and the row names it in `value_refs` (`{ section: { port: hash } }`).
 * The same value reaching three nodes (retrieved documents → llm context → end sources) is one
 * row. Readers join the sections back, whole: nothing is truncated.
 * @module
 */
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database } from "./database-schema.ts";
import { fromStoredJson, toJsonb } from "./stored-json.ts";

/**
 * Default size (UTF-8 bytes of JSON) above which a port's value is stored out of line; values
 * this small cost less inline than a reference and a row.
 */
export const DEFAULT_INLINE_VALUE_BYTES = 512;

/** One value to store out of line: a `run_values` row of the run. */
export interface RunValue {
  /** base64url sha256 of `text`. */
  readonly hash: string;
  /** JSON text for the jsonb column (escaped as `toJsonb` does). */
  readonly text: string;
  readonly bytes: number;
}

/** A section split for storage. */
export interface SplitSection {
  /** JSON text for the row's column: the section with each out-of-line port as `null`, in place. */
  readonly inline: string;
  /** Port → hash of the values stored out of line; undefined when none. */
  readonly refs: Record<string, string> | undefined;
  readonly values: readonly RunValue[];
}

/** Per section (`inputs`, `outputs`, `process_data`), the ports whose values are in `run_values`. */
export type ValueRefs = Readonly<Record<string, Readonly<Record<string, string>>>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Splits a recorded section into inline JSON and values over `inlineBytes` to store out of line. */
export function splitSection(section: unknown, inlineBytes: number = DEFAULT_INLINE_VALUE_BYTES): SplitSection {
  if (!isRecord(section)) return { inline: toJsonb(section), refs: undefined, values: [] };
  const parts: string[] = [];
  const values: RunValue[] = [];
  let refs: Record<string, string> | undefined;
  for (const [port, value] of Object.entries(section)) {
    // Skipped as JSON.stringify skips them in an object.
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue;
    const text = toJsonb(value);
    const key = toJsonb(port);
    // Three UTF-8 bytes per UTF-16 unit at most: most values need no byte count.
    const bytes = text.length * 3 <= inlineBytes ? 0 : Buffer.byteLength(text, "utf8");
    if (bytes <= inlineBytes) {
      parts.push(`${key}:${text}`);
      continue;
    }
    const hash = createHash("sha256").update(text).digest("base64url");
    parts.push(`${key}:null`);
    refs ??= {};
    refs[port] = hash;
    values.push({ hash, text, bytes });
  }
  return { inline: `{${parts.join(",")}}`, refs, values };
}

/** `value_refs` as read from a row; anything else (SQL NULL, a legacy row) is no references. */
export function toValueRefs(column: unknown): ValueRefs | undefined {
  if (!isRecord(column)) return undefined;
  return fromStoredJson(column) as ValueRefs;
}

/** Every hash the references name. */
export function referencedHashes(refs: readonly (ValueRefs | undefined)[]): string[] {
  const hashes = new Set<string>();
  for (const sections of refs) {
    if (sections === undefined) continue;
    for (const ports of Object.values(sections)) for (const hash of Object.values(ports)) hashes.add(hash);
  }
  return [...hashes];
}

/**
 * Puts the values of a section's references back in place (`inline` is the decoded column, a
 * fresh copy). `missing` says a referenced value was not found (the port stays `null`).
 */
export function joinSection(
  inline: unknown,
  refs: Readonly<Record<string, string>> | undefined,
  values: ReadonlyMap<string, unknown>,
): { readonly value: unknown; readonly missing: boolean } {
  if (refs === undefined || !isRecord(inline)) return { value: inline, missing: false };
  let missing = false;
  for (const [port, hash] of Object.entries(refs)) {
    if (!values.has(hash)) {
      missing = true;
      continue;
    }
    // defineProperty: a port named "__proto__" stays a plain own property.
    Object.defineProperty(inline, port, {
      value: values.get(hash),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return { value: inline, missing };
}

/**
 * The stored values of some runs, by hash (content-addressed: one hash is one value whatever the
 * run). `hashes` limits the load to those named (a page of runs needs only its outputs').
 */
export async function loadRunValues(
  db: Kysely<Database>,
  runIds: readonly string[],
  hashes?: readonly string[],
): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  if (runIds.length === 0 || hashes?.length === 0) return values;
  let query = db.selectFrom("run_values").select(["hash", "value"]).where("run_id", "in", runIds);
  if (hashes !== undefined) query = query.where("hash", "in", hashes);
  for (const row of await query.execute()) {
    if (!values.has(row.hash)) values.set(row.hash, fromStoredJson(row.value));
  }
  return values;
}
