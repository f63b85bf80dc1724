/**
 * PostgreSQL's jsonb containment (`target @> filter`) on parsed JSON values, so the in-memory
 * vector store filters exactly as `PgVectorStore` does.
 *
 * Rules (PostgreSQL docs §8.14.3, `JsonbDeepContains`):
 * - an object contains an object when every key of the filter is in the target with a contained value;
 * - an array contains an array when every element of the filter is contained by some element of the
 *   target (order and duplicates do not matter; a scalar must equal a scalar element, a container
 *   must be contained by a container element);
 * - scalars are contained only by an equal scalar of the same JSON type (`1` never matches `"1"`);
 * - an object never contains an array or a scalar, nor an array an object, below the top level.
 *
 * @example
 * jsonbContains({ tags: ["a", "b"], lang: "en" }, { tags: ["a"] }); // true
 * jsonbContains({ tags: ["a", "b"] }, { tags: "a" }); // false
 */
export function jsonbContains(target: unknown, filter: unknown): boolean {
  if (Array.isArray(filter)) {
    if (!Array.isArray(target)) return false;
    return filter.every((wanted) =>
      isContainer(wanted)
        ? target.some((element) => isContainer(element) && jsonbContains(element, wanted))
        : target.some((element) => element === wanted),
    );
  }
  if (isObject(filter)) {
    if (!isObject(target)) return false;
    return Object.entries(filter).every(
      ([key, wanted]) => Object.hasOwn(target, key) && jsonbContains(target[key], wanted),
    );
  }
  // Scalars (null, boolean, number by value, string): `===` keeps jsonb's type distinctions.
  return target === filter;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isContainer(value: unknown): boolean {
  return typeof value === "object" && value !== null;
}
