import { z } from "zod";
import { mapOperator } from "../condition-operator.ts";
import { difySelector, parseAt } from "../dify-dsl-schema.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode } from "../portflow-node.ts";

const listOperatorSchema = z.looseObject({
  variable: difySelector.nullish(),
  filter_by: z
    .looseObject({
      enabled: z.boolean().nullish(),
      conditions: z
        .array(
          z.looseObject({ key: z.string().nullish(), comparison_operator: z.string(), value: z.unknown().optional() }),
        )
        .nullish(),
    })
    .nullish(),
  order_by: z
    .looseObject({
      enabled: z.boolean().nullish(),
      key: z.string().nullish(),
      value: z.enum(["asc", "desc"]).nullish(),
    })
    .nullish(),
  limit: z.looseObject({ enabled: z.boolean().nullish(), size: z.number().int().nullish() }).nullish(),
  extract_by: z
    .looseObject({ enabled: z.boolean().nullish(), serial: z.union([z.string(), z.number()]).nullish() })
    .nullish(),
});

/** `list-operator`: filter_by, order_by, limit and extract_by as Portflow's filter, sort, limit, extract. */
export const mapListOperator: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(listOperatorSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const notes: string[] = [];
  if (data.variable && data.variable.length > 0) inputs.bind("items", data.variable, [...at, "variable"]);
  else ctx.problem([...at, "variable"], "unknown_selector", "the list operator names no list");
  const config: Record<string, unknown> = {};
  if (data.filter_by?.enabled === true) {
    const conditions = (data.filter_by.conditions ?? []).flatMap((c, i) => {
      const op = mapOperator(c.comparison_operator, c.value, undefined, [...at, "filter_by", "conditions", i], ctx);
      if (op === undefined) return [];
      notes.push(...op.notes);
      return [{ ...(c.key ? { key: c.key } : {}), operator: op.operator, ...("value" in op && { value: op.value }) }];
    });
    if (conditions.length > 0) config.filter = { logical: "and", conditions };
  }
  if (data.order_by?.enabled === true) {
    config.sort = { ...(data.order_by.key ? { key: data.order_by.key } : {}), order: data.order_by.value ?? "asc" };
  }
  if (data.limit?.enabled === true && typeof data.limit.size === "number" && data.limit.size >= 0) {
    config.limit = { first: data.limit.size };
  }
  if (data.extract_by?.enabled === true) {
    const serial = Number(data.extract_by.serial ?? 1);
    if (Number.isInteger(serial) && serial >= 1)
      config.extract = serial - 1; // Dify counts from 1
    else
      ctx.problem(
        [...at, "extract_by", "serial"],
        "unsupported_condition",
        `extract_by.serial must be a position from 1, got ${JSON.stringify(data.extract_by.serial)}`,
      );
  }
  return {
    nodes: [portflowNode(node, "list-operator", config, inputs, ctx)],
    portflowType: "list-operator",
    notes: [...new Set([...notes, ...inputs.notes])],
  };
};
