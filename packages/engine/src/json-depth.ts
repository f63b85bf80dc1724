/**
 * How deep a JSON value nests, found without recursion, so a hostile 50,000-level document is
 * refused before anything recursive (schema parsing, freezing, hashing, JSON.stringify) sees it.
 * @module
 */

/** Where a value first nests deeper than a limit: the path to the first too-deep container. */
export interface DepthViolation {
  readonly path: readonly (string | number)[];
  readonly limit: number;
}

/**
 * The first place `value` nests objects/arrays deeper than `maxDepth` (the top level is depth 1),
 * or undefined when it stays within. Visits each container once; iterative.
 *
 * @example
 * findDepthViolation({ a: [[1]] }, 2); // { path: ["a", 0], limit: 2 }
 */
export function findDepthViolation(value: unknown, maxDepth: number): DepthViolation | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const stack: { value: object; depth: number; path: readonly (string | number)[] }[] = [{ value, depth: 1, path: [] }];
  while (stack.length > 0) {
    const top = stack.pop() as (typeof stack)[number];
    if (top.depth > maxDepth) return { path: top.path, limit: maxDepth };
    const entries: [string | number, unknown][] = Array.isArray(top.value)
      ? top.value.map((v, i) => [i, v])
      : Object.entries(top.value);
    for (const [key, child] of entries) {
      if (typeof child === "object" && child !== null) {
        stack.push({ value: child, depth: top.depth + 1, path: [...top.path, key] });
      }
    }
  }
  return undefined;
}
