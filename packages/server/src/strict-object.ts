/**
 * Request bodies and query strings refuse keys they do not know, so a typo (`"strem": true`) is a
 * 400 naming the key instead of a silently ignored option.
 * @module
 */

import { didYouMean } from "@portflow/engine";
import { z } from "zod";

/** Per-key hints for likely mistakes that are not typos (`query` sent beside `inputs`). */
export type UnknownKeyHints = Readonly<Record<string, string>>;

/** How one unknown key is reported: `"strem" (did you mean "stream"?)`. */
function describeKey(key: string, known: readonly string[], hints: UnknownKeyHints): string {
  const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
  if (hint !== undefined) return `"${key}" (${hint})`;
  const suggestion = didYouMean(key, known);
  return suggestion === undefined ? `"${key}"` : `"${key}" (did you mean "${suggestion}"?)`;
}

/**
 * `z.strictObject` whose unknown-key error names each key, with a did-you-mean when a known key
 * is close, or the key's hint. The JSON Schema says `additionalProperties: false`.
 *
 * @example
 * body: strictObject({ stream: z.boolean().optional() })
 * // {"strem": true} → 400 `body: unknown key "strem" (did you mean "stream"?); known keys: stream`
 */
export function strictObject<const Shape extends z.ZodRawShape>(shape: Shape, hints: UnknownKeyHints = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== "unrecognized_keys") return undefined;
      const keys = issue.keys.map((key) => describeKey(key, known, hints));
      const list = known.length === 0 ? "none" : known.join(", ");
      return `unknown key${keys.length === 1 ? "" : "s"} ${keys.join(", ")}; known keys: ${list}`;
    },
  });
}
