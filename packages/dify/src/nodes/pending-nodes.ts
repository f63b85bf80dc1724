/**
 * Dify's `template-transform`, `code`, `http-request`, `question-classifier`,
 * `parameter-extractor` and `assigner` as the Portflow node types of the same names, with configs
 * those types accept; `document-extractor` is emitted by name (Portflow does not have it yet).
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
    nodes: [portflowNode(node, "template-transform", { template: data.template }, inputs, ctx)],
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
  const outputs = Object.entries(data.outputs ?? {}).map(([name, o]) => ({ name, type: portTypeOf(o?.type) }));
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

/** Dify's `key:value` lines (headers, params) as a record of Portflow templates; keys stay literal. */
function pairs(text: string | null | undefined, inputs: NodeInputs, path: YamlPath, notes: string[]) {
  const out: Record<string, string> = {};
  for (const line of (text ?? "").split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    const key = (colon < 0 ? line : line.slice(0, colon)).trim();
    if (key.includes("{{")) {
      notes.push(`a templated name (${key}) is not supported: that line was dropped`);
      continue;
    }
    out[key] = inputs.template((colon < 0 ? "" : line.slice(colon + 1)).trim(), path, { secrets: true });
  }
  return out;
}

const SECONDS = (value: unknown) => (typeof value === "number" && value > 0 ? Math.round(value * 1000) : undefined);

/** Dify's body (`data` a string in old files, a list of `{key, type, value}` in new ones) as Portflow's. */
function httpBody(body: z.output<typeof httpSchema>["body"], inputs: NodeInputs, at: YamlPath, notes: string[]) {
  const type = body?.type ?? "none";
  const items = Array.isArray(body?.data) ? body.data : [];
  const text = (i: number, value: string | null | undefined) =>
    inputs.template(value ?? "", [...at, "body", "data", i, "value"], { secrets: true });
  const single =
    typeof body?.data === "string"
      ? inputs.template(body.data, [...at, "body", "data"], { secrets: true })
      : items.length > 0
        ? text(0, items[0]?.value)
        : "";
  switch (type) {
    case "none":
      return { type: "none" };
    case "json": {
      try {
        // keep the JSON structure when the text parses with its placeholders as strings
        return { type: "json", data: JSON.parse(single) as unknown };
      } catch {
        notes.push("the JSON body is not JSON on its own (placeholders outside strings): sent as raw text");
        return { type: "raw-text", data: single, content_type: "application/json" };
      }
    }
    case "raw-text":
      return { type: "raw-text", data: single };
    case "x-www-form-urlencoded":
      return {
        type: "x-www-form-urlencoded",
        data: Object.fromEntries(items.map((d, i) => [d.key ?? "", text(i, d.value)])),
      };
    case "form-data":
      return {
        type: "form-data",
        data: items.map((d, i) =>
          d.type === "file" ? { name: d.key ?? "file", file: true } : { name: d.key ?? "", value: text(i, d.value) },
        ),
      };
    case "binary":
      return { type: "binary" };
    default:
      notes.push(`body type "${type}" is not supported: no body is sent`);
      return { type: "none" };
  }
}

export const mapHttpRequest: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(httpSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const notes: string[] = [];
  const auth = data.authorization;
  const key = () =>
    inputs.template(auth?.config?.api_key ?? "", [...at, "authorization", "config", "api_key"], { secrets: true });
  let portflowAuth: Record<string, unknown> = { type: "none" };
  if (auth !== null && auth !== undefined && auth.type !== "no-auth") {
    const scheme = auth.config?.type ?? "bearer";
    if (scheme === "custom" && auth.config?.header)
      portflowAuth = { type: "header", name: auth.config.header, value: key() };
    else if (scheme === "basic") portflowAuth = { type: "header", name: "Authorization", value: `Basic ${key()}` };
    else portflowAuth = { type: "bearer", token: key() };
  }
  const method = data.method.toUpperCase();
  const body = httpBody(data.body, inputs, at, notes);
  const seconds = (kind: string) => SECONDS(data.timeout?.[`max_${kind}_timeout`] ?? data.timeout?.[kind]);
  const timeouts = Object.fromEntries(
    ["connect", "read", "write"].flatMap((kind) => {
      const ms = seconds(kind);
      return ms === undefined ? [] : [[`${kind}_ms`, Math.min(ms, 600_000)]];
    }),
  );
  if (data.ssl_verify === false) notes.push("ssl_verify: false is not imported: certificates are always verified");
  const config = {
    method,
    url: inputs.template(data.url, [...at, "url"], { secrets: true }),
    headers: pairs(data.headers, inputs, [...at, "headers"], notes),
    query: pairs(data.params, inputs, [...at, "params"], notes),
    ...((method !== "GET" && method !== "HEAD") || body.type === "none" ? { body } : {}),
    auth: portflowAuth,
    ...(Object.keys(timeouts).length > 0 && { timeouts }),
    // Dify returns a 5xx answer as the node's outputs
    fail_on_server_error: false,
  };
  if ((method === "GET" || method === "HEAD") && body.type !== "none")
    notes.push(`a ${method} request sends no body: the body was dropped`);
  return {
    nodes: [portflowNode(node, "http-request", config, inputs, ctx)],
    portflowType: "http-request",
    notes: [...notes, ...inputs.notes],
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

const PARAMETER_TYPES = new Set([
  "string",
  "number",
  "integer",
  "boolean",
  "array[string]",
  "array[number]",
  "array[integer]",
  "array[boolean]",
]);

/** A Dify parameter type as one the Portflow extractor declares (`select` → string, `bool` → boolean). */
function parameterType(type: string, name: string, notes: string[]): string {
  const normal = type === "bool" ? "boolean" : type === "select" ? "string" : type;
  if (PARAMETER_TYPES.has(normal)) return normal;
  notes.push(`parameter "${name}": type ${type} became string`);
  return "string";
}

export const mapParameterExtractor: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(extractorSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  if (data.query && data.query.length > 0) inputs.bind("query", data.query, [...at, "query"]);
  const notes: string[] = [];
  const config = {
    parameters: data.parameters.map((p) => {
      const choices = p.options && p.options.length > 0 ? ` (one of: ${p.options.map(String).join(", ")})` : "";
      return {
        name: p.name,
        type: parameterType(p.type, p.name, notes),
        description: `${p.description ?? ""}${choices}`.trim(),
        required: p.required ?? false,
      };
    }),
    instruction: inputs.template(data.instruction ?? "", [...at, "instruction"]),
    ...modelConfig(data.model, [...at, "model"], ctx),
  };
  if (data.reasoning_mode === "prompt") notes.push("reasoning_mode prompt: Portflow always asks for structured output");
  return {
    nodes: [portflowNode(node, "parameter-extractor", config, inputs, ctx)],
    portflowType: "parameter-extractor",
    notes: [...notes, ...inputs.notes],
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

/** Dify assigner operations (v1 `write_mode`, v2 `operation`) → Portflow's. */
const ASSIGNER_OPERATIONS: Readonly<Record<string, string>> = {
  "over-write": "overwrite",
  overwrite: "overwrite",
  clear: "clear",
  set: "set",
  append: "append",
  extend: "extend",
  "remove-first": "remove-first",
  "remove-last": "remove-last",
  "+=": "+=",
  "-=": "-=",
  "*=": "*=",
  "/=": "/=",
};

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
  const assignments = items.flatMap((item) => {
    const target = ctx.selector(item.target, [...item.path, "variable_selector"]);
    if (target === undefined) return [];
    if (target[0] !== "conversation" || target.length !== 2) {
      ctx.problem(
        [...item.path, "variable_selector"],
        "unsupported_selector",
        `an assigner outside a loop writes conversation variables only; ${JSON.stringify(item.target)} is not one`,
      );
      return [];
    }
    const operation = ASSIGNER_OPERATIONS[item.operation];
    if (operation === undefined) {
      ctx.problem(
        [...item.path, "operation"],
        "unsupported_operator",
        `assigner operation "${item.operation}" has no Portflow counterpart`,
      );
      return [];
    }
    const base = { variable: String(target[1]) };
    if (item.inputType === "variable" && Array.isArray(item.value)) {
      const input = inputs.port(item.value as string[], [...item.path, "value"]);
      return input === undefined ? [] : [{ ...base, operation, input }];
    }
    if (item.inputType === "constant")
      return [{ ...base, operation: operation === "overwrite" ? "set" : operation, value: item.value }];
    return [{ ...base, operation }];
  });
  if (assignments.length === 0) return undefined;
  return {
    nodes: [portflowNode(node, "assigner", { assignments }, inputs, ctx)],
    portflowType: "assigner",
    notes: ["conversation variables are written when the run succeeds, not at once (as in Dify)"],
  };
};
