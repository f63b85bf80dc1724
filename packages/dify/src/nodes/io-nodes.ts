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

/** An answer becomes Portflow's `answer` node: it streams to the chat client in graph order, rounds included. */
export const mapAnswer: NodeMapper = (node, ctx) => {
  const data = parseAt(answerSchema, node.data, [...node.path, "data"], ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const answer = inputs.template(data.answer, [...node.path, "data", "answer"]);
  if (answer.trim() === "") {
    ctx.problem([...node.path, "data", "answer"], "invalid_dsl", "the answer node has no text");
    return undefined;
  }
  return {
    nodes: [portflowNode(node, "answer", { answer }, inputs, ctx)],
    portflowType: "answer",
    notes: inputs.notes,
  };
};
