import { z } from "zod";
import { mapOperator } from "../condition-operator.ts";
import { parseAt } from "../dify-dsl-schema.ts";
import type { DifyNode } from "../dify-node.ts";
import type { ImportContext } from "../import-context.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode, portTypeOf } from "../portflow-node.ts";
import { difyConditionSchema } from "./if-else-node.ts";
import { assignerItems } from "./pending-nodes.ts";

const loopSchema = z.looseObject({
  loop_count: z.number().int().nullish(),
  logical_operator: z.enum(["and", "or"]).nullish(),
  break_conditions: z.array(difyConditionSchema).nullish(),
  loop_variables: z
    .array(
      z.looseObject({
        label: z.string().min(1),
        var_type: z.string().default("string"),
        value_type: z.enum(["constant", "variable"]).default("constant"),
        value: z.unknown().optional(),
      }),
    )
    .nullish(),
});

/** A Dify constant (often written as a string) as a value of the Portflow type; undefined if it is not one. */
function initialValue(value: unknown, type: string): unknown {
  if (value === undefined || value === null || value === "") {
    return type === "array" ? [] : type === "string" ? "" : null;
  }
  if (type === "number") return Number.isFinite(Number(value)) ? Number(value) : undefined;
  if (type === "string") return String(value);
  if (type === "boolean")
    return value === true || value === "true" ? true : value === false || value === "false" ? false : undefined;
  if (typeof value === "string") {
    try {
      const parsed: unknown = JSON.parse(value);
      return type === "array" ? (Array.isArray(parsed) ? parsed : undefined) : parsed;
    } catch {
      return undefined;
    }
  }
  return type === "array" && !Array.isArray(value) ? undefined : value;
}

/**
 * The loop updates that `assigner` nodes in the body write by over-writing a loop variable with a
 * body output; such assigners are folded into the loop (absorbed). Others stay assigners.
 */
function bodyUpdates(loop: DifyNode, names: ReadonlySet<string>, ctx: ImportContext) {
  const updates: { variable: string; selector: readonly (string | number)[] }[] = [];
  const body = new Set(ctx.children(loop.id).map((n) => n.id));
  for (const child of ctx.children(loop.id)) {
    if (child.type !== "assigner") continue;
    const items = assignerItems(child);
    const folded = items.map((item) => {
      const [target, variable] = item.target;
      if (target !== loop.id || variable === undefined || !names.has(variable)) return undefined;
      if (item.operation !== "over-write" || !Array.isArray(item.value)) return undefined;
      const source = item.value.map(String);
      if (!body.has(source[0] ?? "")) return undefined;
      const selector = ctx.selector(source, [...child.path, "data"]);
      return selector === undefined ? undefined : { variable, selector };
    });
    if (items.length === 0 || folded.some((u) => u === undefined)) continue;
    for (const u of folded) if (u) updates.push(u);
    ctx.absorbed.add(child.id);
    ctx.report(
      child.path,
      `assigner "${child.title}"`,
      "mapped",
      [`folded into the updates of loop "${loop.title}"`],
      "loop",
    );
  }
  return updates;
}

/**
 * `loop`: `loop_count` → `max_iterations`, typed `loop_variables`, `break_conditions` on loop
 * variables, and assigners in the body that over-write a loop variable → `updates`.
 */
export const mapLoop: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(loopSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const notes: string[] = [];
  const loopVariables = (data.loop_variables ?? []).flatMap((v, i) => {
    const type = portTypeOf(v.var_type);
    if (v.value_type === "variable") {
      ctx.problem(
        [...at, "loop_variables", i, "value"],
        "unsupported_selector",
        `loop variable "${v.label}" starts from a variable: Portflow loop variables start from constants (null here)`,
      );
      return [{ name: v.label, type, value: null }];
    }
    const value = initialValue(v.value, type);
    if (value === undefined) {
      ctx.problem(
        [...at, "loop_variables", i, "value"],
        "invalid_dsl",
        `the initial value of "${v.label}" is not a ${v.var_type}`,
      );
      return [{ name: v.label, type, value: null }];
    }
    return [{ name: v.label, type, value }];
  });
  const names = new Set(loopVariables.map((v) => v.name));
  const breakConditions = (data.break_conditions ?? []).flatMap((c, i) => {
    const path = [...at, "break_conditions", i];
    const [head, variable, ...rest] = c.variable_selector ?? [];
    if (head !== node.id || variable === undefined || !names.has(variable)) {
      ctx.problem(
        [...path, "variable_selector"],
        "unsupported_condition",
        "Portflow break conditions test the loop's own variables only",
      );
      return [];
    }
    const op = mapOperator(c.comparison_operator, c.value, c.varType ?? undefined, path, ctx);
    if (op === undefined) return [];
    notes.push(...op.notes);
    return [
      { variable: [variable, ...rest].join("."), operator: op.operator, ...("value" in op && { value: op.value }) },
    ];
  });
  const updates = bodyUpdates(node, names, ctx);
  if (updates.length > 0)
    notes.push("loop variables are updated at the end of each round (Dify: when the assigner runs)");
  if (ctx.children(node.id).some((n) => n.type === "loop-end")) {
    notes.push("loop-end (break) nodes are dropped: the loop stops by its break conditions or max_iterations");
  }
  const config = {
    loop_variables: loopVariables,
    updates,
    break_conditions: breakConditions,
    logical: data.logical_operator ?? "and",
    max_iterations: Math.max(1, data.loop_count ?? 10),
  };
  return {
    nodes: [portflowNode(node, "loop", config, new NodeInputs(ctx), ctx)],
    portflowType: "loop",
    notes: [...new Set(notes)],
  };
};
