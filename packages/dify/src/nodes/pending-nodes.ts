/**
 * Dify node types whose Portflow counterparts another team is adding: `template-transform`,
 * `code`, `http-request`, `document-extractor`, `question-classifier`, `parameter-extractor`,
 * `assigner`. Each is emitted with that type name and a faithful config; the report says
 * "mapped (needs node type X)".
 * @module
 */
import { z } from "zod";
import { difySelector, difyVariableSelector, parseAt } from "../dify-dsl-schema.ts";
import type { DifyNode } from "../dify-node.ts";
import type { ImportContext, YamlPath } from "../import-context.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode, portTypeOf } from "../portflow-node.ts";
import { difyModelSchema } from "./llm-node.ts";

/** Binds `{variable, value_selector}` entries to ports of exactly those names (code reads them by name). */
function bindVariables(
  variables: readonly z.output<typeof difyVariableSelector>[] | null | undefined,
  inputs: NodeInputs,
  path: YamlPath,
): void {
  (variables ?? []).forEach((v, i) => {
    if (v.value_selector && v.value_selector.length > 0)
      inputs.bind(v.variable, v.value_selector, [...path, i, "value_selector"]);
  });
}

const templateTransformSchema = z.looseObject({
  template: z.string().default(""),
  variables: z.array(difyVariableSelector).nullish(),
});

export const mapTemplateTransform: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(templateTransformSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  bindVariables(data.variables, inputs, [...at, "variables"]);
  return {
    nodes: [portflowNode(node, "template-transform", { engine: "jinja2", template: data.template }, inputs, ctx)],
    portflowType: "template-transform",
    notes: [],
  };
};

const codeSchema = z.looseObject({
  code_language: z.enum(["python3", "javascript"]),
  code: z.string().default(""),
  variables: z.array(difyVariableSelector).nullish(),
  outputs: z.record(z.string(), z.looseObject({ type: z.string() }).nullish()).nullish(),
  dependencies: z.array(z.unknown()).nullish(),
});

export const mapCode: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(codeSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  bindVariables(data.variables, inputs, [...at, "variables"]);
  const outputs = Object.entries(data.outputs ?? {}).map(([name, o]) => ({
    name,
    type: portTypeOf(o?.type),
    dify_type: o?.type ?? "any",
  }));
  const notes = (data.dependencies?.length ?? 0) > 0 ? ["dependencies are not imported"] : [];
  return {
    nodes: [portflowNode(node, "code", { language: data.code_language, code: data.code, outputs }, inputs, ctx)],
    portflowType: "code",
    notes,
  };
};

const httpSchema = z.looseObject({
  method: z.string().default("get"),
  url: z.string().default(""),
  authorization: z
    .looseObject({
      type: z.string().default("no-auth"),
      config: z
        .looseObject({ type: z.string().nullish(), api_key: z.string().nullish(), header: z.string().nullish() })
        .nullish(),
    })
    .nullish(),
  headers: z.string().nullish(),
  params: z.string().nullish(),
  body: z
    .looseObject({
      type: z.string().default("none"),
      data: z
        .union([
          z.string(),
          z.array(
            z.looseObject({ key: z.string().nullish(), type: z.string().nullish(), value: z.string().nullish() }),
          ),
        ])
        .nullish(),
    })
    .nullish(),
  timeout: z.record(z.string(), z.unknown()).nullish(),
  ssl_verify: z.boolean().nullish(),
});

/** Dify's `key:value` lines (headers, params) as pairs with Portflow templates. */
function pairs(text: string | null | undefined, inputs: NodeInputs, path: YamlPath) {
  return (text ?? "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const colon = line.indexOf(":");
      const key = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1);
      return { key: inputs.template(key.trim(), path), value: inputs.template(value.trim(), path) };
    });
}

export const mapHttpRequest: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(httpSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const auth = data.authorization;
  const body = data.body;
  let bodyData: unknown = null;
  if (typeof body?.data === "string") bodyData = inputs.template(body.data, [...at, "body", "data"]);
  else if (Array.isArray(body?.data)) {
    bodyData = body.data.map((d, i) => ({
      key: inputs.template(d.key ?? "", [...at, "body", "data", i, "key"]),
      type: d.type ?? "text",
      value: inputs.template(d.value ?? "", [...at, "body", "data", i, "value"]),
    }));
  }
  const config = {
    method: data.method.toUpperCase(),
    url: inputs.template(data.url, [...at, "url"]),
    headers: pairs(data.headers, inputs, [...at, "headers"]),
    params: pairs(data.params, inputs, [...at, "params"]),
    body: { type: body?.type ?? "none", data: bodyData },
    authorization:
      auth === null || auth === undefined || auth.type === "no-auth"
        ? { type: "none" }
        : {
            type: "api-key",
            scheme: auth.config?.type ?? "bearer",
            ...(auth.config?.header ? { header: auth.config.header } : {}),
            api_key: inputs.template(auth.config?.api_key ?? "", [...at, "authorization", "config", "api_key"]),
          },
    ...(data.timeout ? { timeout_seconds: data.timeout } : {}),
    ...(data.ssl_verify === false ? { ssl_verify: false } : {}),
  };
  return {
    nodes: [portflowNode(node, "http-request", config, inputs, ctx)],
    portflowType: "http-request",
    notes: inputs.notes,
  };
};

const documentExtractorSchema = z.looseObject({ variable_selector: difySelector.nullish() });

export const mapDocumentExtractor: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(documentExtractorSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  if (data.variable_selector && data.variable_selector.length > 0)
    inputs.bind("file", data.variable_selector, [...at, "variable_selector"]);
  return {
    nodes: [portflowNode(node, "document-extractor", {}, inputs, ctx)],
    portflowType: "document-extractor",
    notes: [],
  };
};

/** The model of an LLM-backed node, through the model map. */
function modelConfig(model: z.output<typeof difyModelSchema> | null | undefined, path: YamlPath, ctx: ImportContext) {
  if (!model) return {};
  const mapped = ctx.model(path, model.provider, model.name);
  return mapped === undefined ? {} : { model: mapped };
}

const classifierSchema = z.looseObject({
  query_variable_selector: difySelector.nullish(),
  model: difyModelSchema.nullish(),
  classes: z
    .array(z.looseObject({ id: z.union([z.string(), z.number()]).transform(String), name: z.string().default("") }))
    .default([]),
  instruction: z.string().nullish(),
  instructions: z.string().nullish(),
  memory: z.unknown().optional(),
});

export const mapQuestionClassifier: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(classifierSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  if (data.query_variable_selector && data.query_variable_selector.length > 0) {
    inputs.bind("query", data.query_variable_selector, [...at, "query_variable_selector"]);
  }
  const instruction = data.instruction ?? data.instructions ?? "";
  const config = {
    classes: data.classes.map((c) => ({ id: c.id, name: c.name })),
    instruction: inputs.template(instruction, [...at, "instruction"]),
    ...modelConfig(data.model, [...at, "model"], ctx),
  };
  const notes = data.memory ? ["memory: Portflow passes the chat session's history"] : [];
  return {
    nodes: [portflowNode(node, "question-classifier", config, inputs, ctx)],
    portflowType: "question-classifier",
    notes: [...notes, ...inputs.notes],
    branches: new Map(data.classes.map((c) => [c.id, c.id])),
  };
};

const extractorSchema = z.looseObject({
  query: difySelector.nullish(),
  model: difyModelSchema.nullish(),
  parameters: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        type: z.string().default("string"),
        description: z.string().nullish(),
        required: z.boolean().nullish(),
        options: z.array(z.unknown()).nullish(),
      }),
    )
    .default([]),
  instruction: z.string().nullish(),
  reasoning_mode: z.string().nullish(),
});

export const mapParameterExtractor: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(extractorSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  if (data.query && data.query.length > 0) inputs.bind("query", data.query, [...at, "query"]);
  const config = {
    parameters: data.parameters.map((p) => ({
      name: p.name,
      type: p.type === "select" ? "string" : portTypeOf(p.type === "bool" ? "boolean" : p.type),
      description: p.description ?? "",
      required: p.required ?? false,
      ...(p.options && p.options.length > 0 ? { options: p.options.map(String) } : {}),
    })),
    instruction: inputs.template(data.instruction ?? "", [...at, "instruction"]),
    reasoning_mode: data.reasoning_mode ?? "function_call",
    ...modelConfig(data.model, [...at, "model"], ctx),
  };
  return {
    nodes: [portflowNode(node, "parameter-extractor", config, inputs, ctx)],
    portflowType: "parameter-extractor",
    notes: inputs.notes,
  };
};

const assignerV1Schema = z.looseObject({
  assigned_variable_selector: difySelector.nullish(),
  write_mode: z.string().nullish(),
  input_variable_selector: difySelector.nullish(),
});
const assignerV2Schema = z.looseObject({
  items: z.array(
    z.looseObject({
      variable_selector: difySelector.nullish(),
      input_type: z.string().nullish(),
      operation: z.string().default("over-write"),
      value: z.unknown().optional(),
    }),
  ),
});

/** One assignment of a Dify assigner, v1 or v2 alike: `value` is a selector when `input_type` is variable. */
export interface AssignerItem {
  readonly target: readonly string[];
  readonly operation: string;
  readonly inputType: "variable" | "constant" | "none";
  readonly value: unknown;
  readonly path: YamlPath;
}

/** The assignments of a Dify `assigner` node (v1: one, v2: `items`); unusable entries are skipped. */
export function assignerItems(node: DifyNode): AssignerItem[] {
  const v2 = assignerV2Schema.safeParse(node.data);
  if (v2.success) {
    return v2.data.items.flatMap((item, i) => {
      const target = item.variable_selector;
      if (!target || target.length < 2) return [];
      const inputType =
        item.input_type === "variable" ? "variable" : item.input_type === "constant" ? "constant" : "none";
      const value = inputType === "variable" && Array.isArray(item.value) ? item.value.map(String) : item.value;
      return [{ target, operation: item.operation, inputType, value, path: [...node.path, "data", "items", i] }];
    });
  }
  const v1 = assignerV1Schema.safeParse(node.data);
  if (!v1.success || !v1.data.assigned_variable_selector || v1.data.assigned_variable_selector.length < 2) return [];
  const input = v1.data.input_variable_selector;
  return [
    {
      target: v1.data.assigned_variable_selector,
      operation: v1.data.write_mode ?? "over-write",
      inputType: input && input.length > 0 ? "variable" : "none",
      value: input,
      path: [...node.path, "data"],
    },
  ];
}

export const mapAssigner: NodeMapper = (node, ctx) => {
  const items = assignerItems(node);
  if (items.length === 0) {
    ctx.problem(
      [...node.path, "data"],
      "invalid_dsl",
      "the assigner assigns nothing (no items, no assigned_variable_selector)",
    );
    return undefined;
  }
  const inputs = new NodeInputs(ctx);
  const portflowItems = items.flatMap((item) => {
    const target = ctx.selector(item.target, [...item.path, "variable_selector"]);
    if (target === undefined) return [];
    const base = { variable: target, operation: item.operation };
    if (item.inputType === "variable" && Array.isArray(item.value)) {
      const input = inputs.port(item.value as string[], [...item.path, "value"]);
      return input === undefined ? [] : [{ ...base, input }];
    }
    return [item.inputType === "constant" ? { ...base, value: item.value } : base];
  });
  const notes = portflowItems.some((i) => i.variable[0] === "conversation")
    ? ["conversation variables are written when the run succeeds (Portflow), not at once"]
    : [];
  return {
    nodes: [portflowNode(node, "assigner", { items: portflowItems }, inputs, ctx)],
    portflowType: "assigner",
    notes,
  };
};
