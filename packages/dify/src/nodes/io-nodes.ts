/**
 * `start`, `end` and `answer`: a workflow's inputs and outputs.
 * @module
 */
import { z } from "zod";
import { difyVariableSelector, parseAt } from "../dify-dsl-schema.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode, portTypeOf } from "../portflow-node.ts";

const startSchema = z.looseObject({
  variables: z
    .array(
      z.looseObject({
        variable: z.string().min(1),
        label: z.string().nullish(),
        type: z.string().default("text-input"),
        required: z.boolean().default(false),
        default: z.unknown().optional(),
        options: z.array(z.unknown()).nullish(),
        max_length: z.number().nullish(),
        description: z.string().nullish(),
      }),
    )
    .nullish(),
});

/** Start variables become typed start inputs. */
export const mapStart: NodeMapper = (node, ctx) => {
  const data = parseAt(startSchema, node.data, [...node.path, "data"], ctx);
  if (data === undefined) return undefined;
  const notes: string[] = [];
  const inputs = (data.variables ?? []).map((v) => {
    const type = portTypeOf(v.type);
    if (v.type === "select" && (v.options?.length ?? 0) > 0) {
      notes.push(`"${v.variable}": the choices (${v.options?.map(String).join(", ")}) are not enforced`);
    }
    if (type === "any") notes.push(`"${v.variable}": Dify input type "${v.type}" became an untyped input`);
    const hasDefault = v.default !== undefined && v.default !== null && v.default !== "";
    const description = v.description ?? v.label ?? undefined;
    // Dify reads an optional text input left empty as ""; Portflow would report it missing.
    const fallback = !v.required && !hasDefault && type === "string" ? { default: "" } : {};
    return {
      name: v.variable,
      type,
      required: v.required,
      ...fallback,
      ...(hasDefault && { default: type === "number" ? Number(v.default) : v.default }),
      ...(description !== undefined && description !== "" && { description }),
    };
  });
  return { nodes: [portflowNode(node, "start", { inputs }, undefined, ctx)], portflowType: "start", notes };
};

const endSchema = z.looseObject({ outputs: z.array(difyVariableSelector).nullish() });

/** End outputs become the end node's mapped inputs (its outputs). */
export const mapEnd: NodeMapper = (node, ctx) => {
  const data = parseAt(endSchema, node.data, [...node.path, "data"], ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  (data.outputs ?? []).forEach((o, i) => {
    if (o.value_selector && o.value_selector.length > 0) {
      inputs.bind(o.variable, o.value_selector, [...node.path, "data", "outputs", i, "value_selector"]);
    }
  });
  return { nodes: [portflowNode(node, "end", {}, inputs, ctx)], portflowType: "end", notes: inputs.notes };
};

const answerSchema = z.looseObject({ answer: z.string().default(""), variables: z.array(z.unknown()).nullish() });

/**
 * Portflow has no `answer` node yet: an answer becomes a `template` (same id) rendering the answer
 * text, followed by an `end` whose `answer` output is that text.
 */
export const mapAnswer: NodeMapper = (node, ctx) => {
  const data = parseAt(answerSchema, node.data, [...node.path, "data"], ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const template = inputs.template(data.answer, [...node.path, "data", "answer"]);
  const render = portflowNode(node, "template", { template }, inputs, ctx);
  const notes = [...inputs.notes];
  if (node.parentId !== undefined) {
    notes.push("an answer inside an iteration or loop streams each round in Dify; here it is only a template");
    return { nodes: [render], portflowType: "template", notes };
  }
  let endId = `${node.id}_end`;
  while (ctx.difyNodes.has(endId)) endId = `${endId}_`;
  const end = {
    id: endId,
    type: "end",
    title: `${node.title || "Answer"} (end)`,
    config: {},
    variable_mappings: [{ target_port: "answer", selector: [node.id, "text"] as [string, string] }],
    ...(node.position !== undefined && { position: { x: node.position.x + 40, y: node.position.y + 120 } }),
  };
  notes.push(
    "Portflow has no answer node yet: a template renders the answer and an end returns it as `answer`; answers on one path are not concatenated",
  );
  return { nodes: [render, end], edges: [{ source: node.id, target: endId }], portflowType: "template + end", notes };
};
