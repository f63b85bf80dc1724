/**
 * Conditions as if-else, list-operator and loop break conditions write them: an operator
 * comparing a value read by a dotted path with a constant.
 * @module
 */

export const CONDITION_OPERATORS = [
  "equals",
  "not-equals",
  "contains",
  "not-contains",
  "starts-with",
  "ends-with",
  "is-empty",
  "is-not-empty",
  "gt",
  "gte",
  "lt",
  "lte",
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

/** Whether `actual <operator> expected` holds. Numeric operators compare as numbers. */
export function compareCondition(actual: unknown, operator: ConditionOperator, expected: unknown): boolean {
  switch (operator) {
    case "equals":
      return actual === expected;
    case "not-equals":
      return actual !== expected;
    case "contains":
      if (typeof actual === "string") return actual.includes(String(expected));
      return Array.isArray(actual) && actual.includes(expected);
    case "not-contains":
      return !compareCondition(actual, "contains", expected);
    case "starts-with":
      return typeof actual === "string" && actual.startsWith(String(expected));
    case "ends-with":
      return typeof actual === "string" && actual.endsWith(String(expected));
    case "is-empty":
      return isEmpty(actual);
    case "is-not-empty":
      return !isEmpty(actual);
    case "gt":
      return Number(actual) > Number(expected);
    case "gte":
      return Number(actual) >= Number(expected);
    case "lt":
      return Number(actual) < Number(expected);
    case "lte":
      return Number(actual) <= Number(expected);
  }
}

/** The value at a dotted path (`user.tier`, `items.0`); undefined when any step is missing. */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
