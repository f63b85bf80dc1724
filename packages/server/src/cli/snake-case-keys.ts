/**
 * The CLI's `--json` output in the HTTP API's case: object keys in snake_case, except inside
 * values that hold user data (workflow graphs, run inputs and outputs, metadata), which are
 * printed as stored.
 * @module
 */

/** Keys whose values are user data or workflow JSON: printed as they are. */
const VERBATIM_KEYS: ReadonlySet<string> = new Set([
  "graph",
  "workflow",
  "legacyWorkflow",
  "inputs",
  "outputs",
  "processData",
  "defaultOutputs",
  "settings",
  "metadata",
  "sources",
  "details",
  "variables",
  "config_schema",
]);

/**
 * `useWorkflowV2` → `use_workflow_v2`, `botId` → `bot_id`, `recallAt1` → `recall_at_1` (a rank
 * after "at" is a word of its own); snake_case keys stay as they are.
 */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1_$2")
    .replace(/_At(\d)/g, "_At_$1")
    .toLowerCase();
}

/**
 * A copy of `value` with its object keys in snake_case (Dates as ISO strings), descending into
 * arrays and plain objects but not into the values of {@link VERBATIM_KEYS}.
 *
 * @example
 * snakeCaseKeys({ botId: "b1", outputs: { myKey: 1 } }) // { bot_id: "b1", outputs: { myKey: 1 } }
 */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [snakeCase(key), VERBATIM_KEYS.has(key) ? v : snakeCaseKeys(v)]),
  );
}
