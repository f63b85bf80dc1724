import { z } from "zod";
import { BaseNodeV2, type NodeRunResult } from "../base-node.ts";
import { type NodePortSchema, type PortDefinition, portTypeSchema } from "../port-definition.ts";

const groupSchema = z
  .object({
    /** The output port this group fills. */
    name: z.string().min(1),
    /** Every input of the group has this type (validation checks what feeds them). */
    output_type: portTypeSchema.default("any"),
    /** Input port names, in order of preference: the first that has a value wins. */
    variables: z.array(z.string().min(1)).min(1),
  })
  .strict();

const variableAggregatorConfigSchema = z
  .object({
    output_type: portTypeSchema.default("any"),
    /** Input port names in order of preference; the winner becomes the `output` port. */
    variables: z.array(z.string().min(1)).default([]),
    /** Named groups instead: one output port per group. */
    groups: z.array(groupSchema).optional(),
  })
  .strict()
  .refine((c) => c.variables.length > 0 || (c.groups?.length ?? 0) > 0, {
    message: "declare variables (or groups) to aggregate",
  });
export type VariableAggregatorConfig = z.output<typeof variableAggregatorConfigSchema>;

/** The groups a config describes; a flat `variables` list is one group named `output`. */
function groupsOf(config: VariableAggregatorConfig) {
  return config.groups ?? [{ name: "output", output_type: config.output_type, variables: config.variables }];
}

/**
 * `variable-aggregator`: joins branches. Its inputs come from nodes on different branches; the
 * output is the first input (in declared order) that has a value — the branch that ran.
 *
 * @example
 * { "id": "pick", "type": "variable-aggregator",
 *   "config": { "output_type": "string", "variables": ["a", "b"] },
 *   "variable_mappings": [{ "target_port": "a", "selector": ["yes", "text"] },
 *                         { "target_port": "b", "selector": ["no", "text"] }] }
 */
export class VariableAggregatorNode extends BaseNodeV2<
  VariableAggregatorConfig,
  Record<string, unknown>,
  Record<string, unknown>
> {
  readonly type = "variable-aggregator";
  override readonly description = "Joins branches: outputs the first declared input that has a value.";
  readonly configSchema = variableAggregatorConfigSchema;

  ports(config: VariableAggregatorConfig): NodePortSchema {
    const inputs: PortDefinition[] = [];
    const outputs: PortDefinition[] = [];
    for (const group of groupsOf(config)) {
      for (const name of group.variables) inputs.push({ name, type: group.output_type });
      outputs.push({ name: group.name, type: group.output_type });
    }
    return { inputs, outputs };
  }

  run(
    inputs: Record<string, unknown>,
    ctx: { config: VariableAggregatorConfig },
  ): NodeRunResult<Record<string, unknown>> {
    const outputs: Record<string, unknown> = {};
    const chosen: Record<string, string | null> = {};
    for (const group of groupsOf(ctx.config)) {
      const winner = group.variables.find((name) => inputs[name] !== undefined);
      outputs[group.name] = winner === undefined ? null : inputs[winner];
      chosen[group.name] = winner ?? null;
    }
    return { outputs, processData: { chosen } };
  }
}
