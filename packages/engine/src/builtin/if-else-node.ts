import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import { CONDITION_OPERATORS, compareCondition, readPath } from "../conditions.ts";
import type { NodePortSchema } from "../port-definition.ts";

const conditionSchema = z
  .object({
    /** The input port (with an optional dotted path) to test. */
    input: z.string().min(1),
    operator: z.enum(CONDITION_OPERATORS),
    value: z.unknown().optional(),
  })
  .strict();

const caseSchema = z
  .object({
    /** The branch port this case takes; must not be `false`. */
    id: z
      .string()
      .min(1)
      .refine((id) => id !== "false", { message: '"false" is reserved for the else branch' }),
    logical: z.enum(["and", "or"]).default("and"),
    conditions: z.array(conditionSchema).min(1),
  })
  .strict();

const ifElseConfigSchema = z
  .object({
    cases: z.array(caseSchema).default([]),
  })
  .strict();
export type IfElseConfig = z.output<typeof ifElseConfigSchema>;
type Condition = z.output<typeof conditionSchema>;

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
      inputReads: config.cases.flatMap((c, i) =>
        c.conditions.map((condition, j) => ({ path: ["cases", i, "conditions", j, "input"], name: condition.input })),
      ),
    };
  }

  run(inputs: Record<string, unknown>, ctx: NodeContext<IfElseConfig>): NodeRunResult<Record<string, unknown>> {
    const holds = (c: Condition) => compareCondition(readPath(inputs, c.input), c.operator, c.value);
    const taken = ctx.config.cases.find((c) =>
      c.logical === "and" ? c.conditions.every(holds) : c.conditions.some(holds),
    );
    const branch = taken?.id ?? "false";
    return { outputs: { branch }, branch };
  }
}
