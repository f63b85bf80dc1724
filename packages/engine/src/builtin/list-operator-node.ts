import { z } from "zod";
import { BaseNodeV2, type NodeRunResult } from "../base-node.ts";
import { CONDITION_OPERATORS, compareCondition, readPath } from "../conditions.ts";
import type { NodePortSchema } from "../port-definition.ts";

const itemConditionSchema = z
  .object({
    /** Dotted path into each item (`meta.lang`); absent: the item itself. */
    key: z.string().min(1).optional(),
    operator: z.enum(CONDITION_OPERATORS),
    value: z.unknown().optional(),
  })
  .strict();

const listOperatorConfigSchema = z
  .object({
    filter: z
      .object({ logical: z.enum(["and", "or"]).default("and"), conditions: z.array(itemConditionSchema).min(1) })
      .strict()
      .optional(),
    sort: z
      .object({ key: z.string().min(1).optional(), order: z.enum(["asc", "desc"]).default("asc") })
      .strict()
      .optional(),
    /** Keep the first or the last N items (after filter and sort). */
    limit: z
      .object({ first: z.number().int().min(0).optional(), last: z.number().int().min(0).optional() })
      .strict()
      .refine((l) => (l.first === undefined) !== (l.last === undefined), { message: "give either first or last" })
      .optional(),
    /** Keep only the item at this index (negative counts from the end). */
    extract: z.number().int().optional(),
  })
  .strict();
export type ListOperatorConfig = z.output<typeof listOperatorConfigSchema>;

const at = (item: unknown, key: string | undefined) => (key === undefined ? item : readPath(item, key));

/** Orders numbers numerically, everything else as strings; missing values last. */
function compareItems(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}

/**
 * `list-operator`: filters an array by conditions on its items (or item fields), sorts it by a
 * key, keeps the first or last N, or extracts one item. Outputs `result`, `first_record`,
 * `last_record` (null for an empty result).
 *
 * @example
 * { "id": "top", "type": "list-operator",
 *   "config": { "filter": { "conditions": [{ "key": "score", "operator": "gte", "value": 0.5 }] },
 *               "sort": { "key": "score", "order": "desc" }, "limit": { "first": 3 } },
 *   "variable_mappings": [{ "target_port": "items", "selector": ["retrieve", "documents"] }] }
 */
export class ListOperatorNode extends BaseNodeV2<ListOperatorConfig, { items: unknown[] }, Record<string, unknown>> {
  readonly type = "list-operator";
  override readonly description = "Filters, sorts, limits or indexes an array.";
  readonly configSchema = listOperatorConfigSchema;

  ports(): NodePortSchema {
    return {
      inputs: [{ name: "items", type: "array", required: true }],
      outputs: [
        { name: "result", type: "array" },
        { name: "first_record", type: "any" },
        { name: "last_record", type: "any" },
      ],
    };
  }

  run(inputs: { items: unknown[] }, ctx: { config: ListOperatorConfig }): NodeRunResult<Record<string, unknown>> {
    const { filter, sort, limit, extract } = ctx.config;
    let items = [...inputs.items];
    if (filter !== undefined) {
      const holds = (item: unknown) => (c: z.output<typeof itemConditionSchema>) =>
        compareCondition(at(item, c.key), c.operator, c.value);
      items = items.filter((item) =>
        filter.logical === "and" ? filter.conditions.every(holds(item)) : filter.conditions.some(holds(item)),
      );
    }
    if (sort !== undefined) {
      const sign = sort.order === "asc" ? 1 : -1;
      items.sort((a, b) => sign * compareItems(at(a, sort.key), at(b, sort.key)));
    }
    if (limit?.first !== undefined) items = items.slice(0, limit.first);
    else if (limit?.last !== undefined) items = limit.last === 0 ? [] : items.slice(-limit.last);
    if (extract !== undefined) {
      const item = items.at(extract);
      items = item === undefined ? [] : [item];
    }
    return {
      outputs: { result: items, first_record: items[0] ?? null, last_record: items.at(-1) ?? null },
      processData: { input_count: inputs.items.length, output_count: items.length },
    };
  }
}
