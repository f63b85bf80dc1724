import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import type { BodyRunner } from "../body-runner.ts";
import { CONDITION_OPERATORS, compareCondition, readPath } from "../conditions.ts";
import { type NodePortSchema, type PortDefinition, portTypeSchema, valueMatchesPortType } from "../port-definition.ts";
import { type ValueSelector, valueSelectorSchema } from "../value-selector.ts";

const loopVariableSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .refine((n) => n !== "index", { message: '"index" is the round number, not a loop variable' }),
    type: portTypeSchema,
    /** The initial value; it must be of `type`. */
    value: z.unknown(),
  })
  .strict()
  .refine((v) => v.value === null || valueMatchesPortType(v.value, v.type), {
    message: "the initial value does not match the variable's type",
    path: ["value"],
  });

const loopConfigSchema = z
  .object({
    loop_variables: z.array(loopVariableSchema).default([]),
    /** After each round, a loop variable takes the value at a body output. */
    updates: z.array(z.object({ variable: z.string().min(1), selector: valueSelectorSchema }).strict()).default([]),
    /** Checked after each round, on the updated loop variables: the loop stops once they hold. */
    break_conditions: z
      .array(
        z
          .object({
            /** A loop variable, with an optional dotted path (`state.done`), or `index`. */
            variable: z.string().min(1),
            operator: z.enum(CONDITION_OPERATORS),
            value: z.unknown().optional(),
          })
          .strict(),
      )
      .default([]),
    logical: z.enum(["and", "or"]).default("and"),
    /** Required: a loop without break conditions runs exactly this many rounds. */
    max_iterations: z.number().int().min(1),
  })
  .strict()
  .superRefine((config, issue) => {
    const names = new Set(config.loop_variables.map((v) => v.name));
    config.updates.forEach((u, i) => {
      if (!names.has(u.variable)) {
        issue.addIssue({
          code: "custom",
          path: ["updates", i, "variable"],
          message: `"${u.variable}" is not a loop variable`,
        });
      }
    });
  });
export type LoopConfig = z.output<typeof loopConfigSchema>;

export class LoopRoundError extends Error {
  override readonly name = "LoopRoundError";
  readonly code = "LOOP_FAILED";
}

/**
 * `loop`: runs its body round after round with typed loop variables (readable inside as
 * `[loopId, name]`, plus `[loopId, "index"]`), updates them from body outputs after each round,
 * and stops when the break conditions hold or after `max_iterations`. Outputs the final loop
 * variables and `iterations`.
 *
 * @example
 * { "id": "retry", "type": "loop",
 *   "config": { "loop_variables": [{ "name": "draft", "type": "string", "value": "" }],
 *               "updates": [{ "variable": "draft", "selector": ["improve", "text"] }],
 *               "break_conditions": [{ "variable": "draft", "operator": "contains", "value": "DONE" }],
 *               "max_iterations": 5 } }
 */
export class LoopNode extends BaseNodeV2<LoopConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "loop";
  override readonly description = "Repeats its body, updating loop variables, until break conditions hold.";
  override readonly container = { startType: "loop-start" };
  readonly configSchema = loopConfigSchema;

  ports(config: LoopConfig): NodePortSchema {
    const variables: PortDefinition[] = config.loop_variables.map((v) => ({ name: v.name, type: v.type }));
    const types = new Map(variables.map((v) => [v.name, v.type]));
    return {
      inputs: [],
      outputs: [...variables, { name: "iterations", type: "number" }],
      bodyVariables: [...variables, { name: "index", type: "number" }],
      bodySelectors: config.updates.map((u, i) => ({
        path: `updates[${i}].selector`,
        selector: u.selector,
        type: types.get(u.variable) ?? "any",
      })),
    };
  }

  async run(
    _inputs: Record<string, unknown>,
    ctx: NodeContext<LoopConfig>,
  ): Promise<NodeRunResult<Record<string, unknown>>> {
    const body = ctx.body as BodyRunner;
    const { loop_variables, updates, break_conditions, logical, max_iterations } = ctx.config;
    const vars: Record<string, unknown> = Object.fromEntries(loop_variables.map((v) => [v.name, v.value]));
    const types = new Map(loop_variables.map((v) => [v.name, v.type]));
    const holds = (index: number) => {
      const scope = { ...vars, index };
      const test = (c: LoopConfig["break_conditions"][number]) =>
        compareCondition(readPath(scope, c.variable), c.operator, c.value);
      return logical === "and" ? break_conditions.every(test) : break_conditions.some(test);
    };
    let rounds = 0;
    let broke = false;
    while (rounds < max_iterations) {
      const index = rounds;
      const round = await body.run({ index, vars: { ...vars, index } });
      rounds++;
      if (round.status !== "succeeded") {
        ctx.signal.throwIfAborted();
        throw new LoopRoundError(`round ${index} failed: ${round.error?.message ?? "the round did not finish"}`);
      }
      for (const update of updates) {
        const value = round.read(update.selector as ValueSelector);
        const type = types.get(update.variable) ?? "any";
        if (value !== undefined && value !== null && !valueMatchesPortType(value, type)) {
          throw new LoopRoundError(
            `round ${index}: loop variable "${update.variable}" must be ${type}, got ${Array.isArray(value) ? "array" : typeof value}`,
          );
        }
        vars[update.variable] = value ?? null;
      }
      if (break_conditions.length > 0 && holds(index)) {
        broke = true;
        break;
      }
    }
    return { outputs: { ...vars, iterations: rounds }, processData: { iterations: rounds, broke } };
  }
}
