import { z } from "zod";
import { mapOperator } from "../condition-operator.ts";
import { difySelector, parseAt } from "../dify-dsl-schema.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode } from "../portflow-node.ts";

export const difyConditionSchema = z.looseObject({
  variable_selector: difySelector.nullish(),
  comparison_operator: z.string(),
  value: z.unknown().optional(),
  varType: z.string().nullish(),
  sub_variable_condition: z.unknown().optional(),
});

const ifElseSchema = z.looseObject({
  cases: z
    .array(
      z.looseObject({
        case_id: z.union([z.string(), z.number()]).transform(String),
        logical_operator: z.enum(["and", "or"]).default("and"),
        conditions: z.array(difyConditionSchema).default([]),
      }),
    )
    .nullish(),
  conditions: z.array(difyConditionSchema).nullish(),
  logical_operator: z.enum(["and", "or"]).nullish(),
});

/**
 * `if-else`: each case keeps its id as its branch port (Dify's `sourceHandle`), `false` stays
 * the else branch; the legacy top-level `conditions` become one case `true`. Every tested
 * variable is mapped to an input port.
 */
export const mapIfElse: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(ifElseSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const legacy = data.cases === undefined || data.cases === null;
  const cases = legacy
    ? [{ case_id: "true", logical_operator: data.logical_operator ?? "and", conditions: data.conditions ?? [] }]
    : (data.cases ?? []);
  const inputs = new NodeInputs(ctx);
  const notes: string[] = legacy ? ["legacy conditions (before cases) became one case `true`"] : [];
  const branches = new Map<string, string>([["false", "false"]]);
  const portflowCases: Record<string, unknown>[] = [];
  cases.forEach((c, ci) => {
    const casePath = legacy ? [...at] : [...at, "cases", ci];
    const conditions: Record<string, unknown>[] = [];
    c.conditions.forEach((cond, i) => {
      const path = [...casePath, "conditions", i];
      if (cond.sub_variable_condition !== undefined && cond.sub_variable_condition !== null) {
        ctx.problem(
          [...path, "sub_variable_condition"],
          "unsupported_condition",
          "conditions on file attributes have no Portflow form",
        );
        return;
      }
      if (!cond.variable_selector || cond.variable_selector.length === 0) {
        ctx.problem([...path, "variable_selector"], "unknown_selector", "the condition tests no variable");
        return;
      }
      const input = inputs.port(cond.variable_selector, [...path, "variable_selector"]);
      const op = mapOperator(cond.comparison_operator, cond.value, cond.varType ?? undefined, path, ctx);
      if (input === undefined || op === undefined) return;
      notes.push(...op.notes);
      conditions.push({ input, operator: op.operator, ...("value" in op && { value: op.value }) });
    });
    if (conditions.length === 0) {
      ctx.problem(
        casePath,
        "unsupported_condition",
        `case "${c.case_id}" has no condition Portflow can test: it is left out`,
      );
      return;
    }
    const id = c.case_id === "false" || c.case_id === "" ? `case_${ci + 1}` : c.case_id;
    branches.set(c.case_id, id);
    portflowCases.push({ id, logical: c.logical_operator, conditions });
  });
  return {
    nodes: [portflowNode(node, "if-else", { cases: portflowCases }, inputs, ctx)],
    portflowType: "if-else",
    notes: [...new Set([...notes, ...inputs.notes])],
    branches,
  };
};
