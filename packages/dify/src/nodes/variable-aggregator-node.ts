import { z } from "zod";
import { difySelector, parseAt } from "../dify-dsl-schema.ts";
import type { YamlPath } from "../import-context.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode, portTypeOf } from "../portflow-node.ts";

const aggregatorSchema = z.looseObject({
  output_type: z.string().nullish(),
  variables: z.array(difySelector).nullish(),
  advanced_settings: z
    .looseObject({
      group_enabled: z.boolean().nullish(),
      groups: z
        .array(
          z.looseObject({
            group_name: z.string().min(1),
            output_type: z.string().nullish(),
            variables: z.array(difySelector).default([]),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

/**
 * `variable-aggregator` (and its legacy name `variable-assigner`): each listed variable becomes
 * an input port, in order of preference; groups stay groups (`[id, group, "output"]` reads
 * Portflow's `[id, group]`).
 */
export const mapVariableAggregator: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(aggregatorSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const ports = (selectors: readonly (readonly string[])[], path: YamlPath) =>
    selectors.flatMap((s, i) => inputs.port(s, [...path, i]) ?? []);
  const notes: string[] =
    node.type === "variable-assigner" ? ["legacy type variable-assigner is Portflow's variable-aggregator"] : [];
  const config: Record<string, unknown> = { output_type: portTypeOf(data.output_type ?? undefined) };
  if (data.advanced_settings?.group_enabled === true && (data.advanced_settings.groups?.length ?? 0) > 0) {
    config.groups = (data.advanced_settings.groups ?? []).map((g, gi) => ({
      name: g.group_name,
      output_type: portTypeOf(g.output_type ?? undefined),
      variables: ports(g.variables, [...at, "advanced_settings", "groups", gi, "variables"]),
    }));
  } else {
    config.variables = ports(data.variables ?? [], [...at, "variables"]);
  }
  return {
    nodes: [portflowNode(node, "variable-aggregator", config, inputs, ctx)],
    portflowType: "variable-aggregator",
    notes: [...notes, ...inputs.notes],
  };
};
