import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import type { NodePortSchema } from "../port-definition.ts";

const OPERATORS = [
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
type Operator = (typeof OPERATORS)[number];

const conditionSchema = z.object({
  /** The input port (with an optional dotted path) to test. */
  input: z.string().min(1),
  operator: z.enum(OPERATORS),
  value: z.unknown().optional(),
});

const caseSchema = z.object({
  /** The branch port this case takes; must not be `false`. */
  id: z
    .string()
    .min(1)
    .refine((id) => id !== "false", { message: '"false" is reserved for the else branch' }),
  logical: z.enum(["and", "or"]).default("and"),
  conditions: z.array(conditionSchema).min(1),
});

const ifElseConfigSchema = z.object({
  cases: z.array(caseSchema).default([]),
});
export type IfElseConfig = z.output<typeof ifElseConfigSchema>;
type Condition = z.output<typeof conditionSchema>;

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

function compare(actual: unknown, operator: Operator, expected: unknown): boolean {
  switch (operator) {
    case "equals":
      return actual === expected;
    case "not-equals":
      return actual !== expected;
    case "contains":
      if (typeof actual === "string") return actual.includes(String(expected));
      return Array.isArray(actual) && actual.includes(expected);
    case "not-contains":
      return !compare(actual, "contains", expected);
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

function read(inputs: Record<string, unknown>, path: string): unknown {
  let value: unknown = inputs;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * `if-else`: tests ordered cases against its inputs and takes the branch port of the first case
 * that holds, or `false` when none does. Only the taken branch's downstream runs.
 */
export class IfElseNode extends BaseNodeV2<IfElseConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "if-else";
  override readonly description = "Branches on its inputs: the first matching case's port, else `false`.";
  readonly configSchema = ifElseConfigSchema;

  ports(config: IfElseConfig): NodePortSchema {
    return {
      inputs: [],
      outputs: [{ name: "branch", type: "string" }],
      branches: [...config.cases.map((c) => c.id), "false"],
      dynamicInputs: true,
    };
  }

  run(inputs: Record<string, unknown>, ctx: NodeContext<IfElseConfig>): NodeRunResult<Record<string, unknown>> {
    const holds = (c: Condition) => compare(read(inputs, c.input), c.operator, c.value);
    const taken = ctx.config.cases.find((c) =>
      c.logical === "and" ? c.conditions.every(holds) : c.conditions.some(holds),
    );
    const branch = taken?.id ?? "false";
    return { outputs: { branch }, branch };
  }
}
