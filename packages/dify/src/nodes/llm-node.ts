import { z } from "zod";
import { difySelector, difyVariableSelector, parseAt } from "../dify-dsl-schema.ts";
import type { ImportContext, YamlPath } from "../import-context.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode } from "../portflow-node.ts";

const messageSchema = z.looseObject({
  role: z.enum(["system", "user", "assistant"]).default("user"),
  text: z.string().nullish(),
  edition_type: z.enum(["basic", "jinja2"]).nullish(),
  jinja2_text: z.string().nullish(),
});

export const difyModelSchema = z.looseObject({
  provider: z.string().default(""),
  name: z.string().default(""),
  mode: z.string().nullish(),
  completion_params: z.record(z.string(), z.unknown()).nullish(),
});

const llmSchema = z.looseObject({
  model: difyModelSchema,
  prompt_template: z.union([z.array(messageSchema), messageSchema]).default([]),
  prompt_config: z.looseObject({ jinja2_variables: z.array(difyVariableSelector).nullish() }).nullish(),
  memory: z
    .looseObject({
      window: z.looseObject({ enabled: z.boolean().nullish(), size: z.number().nullish() }).nullish(),
      query_prompt_template: z.string().nullish(),
    })
    .nullish(),
  context: z.looseObject({ enabled: z.boolean().nullish(), variable_selector: difySelector.nullish() }).nullish(),
  vision: z.looseObject({ enabled: z.boolean().nullish() }).nullish(),
  structured_output_enabled: z.boolean().nullish(),
});

const JINJA_VARIABLE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** A Jinja2 prompt as a Portflow template, when it uses plain `{{ name }}` only. */
function jinjaTemplate(
  text: string,
  variables: readonly z.output<typeof difyVariableSelector>[],
  inputs: NodeInputs,
  path: YamlPath,
  variablesPath: YamlPath,
  ctx: ImportContext,
): string {
  if (/\{%|\{\{[^}]*\|/.test(text)) {
    ctx.problem(
      path,
      "unsupported_template",
      "Jinja2 blocks and filters ({% … %}, | filter) have no Portflow equivalent; kept as text",
    );
  }
  const ports = new Map<string, string>();
  variables.forEach((v, i) => {
    if (!v.value_selector) return;
    const port = inputs.port(v.value_selector, [...variablesPath, i, "value_selector"], v.variable);
    if (port !== undefined) ports.set(v.variable, port);
  });
  return text.replace(JINJA_VARIABLE, (whole, name: string) => {
    const port = ports.get(name);
    return port === undefined ? whole : `{{${port}}}`;
  });
}

/** Clamps a completion parameter into Portflow's range, noting when it had to. */
function numberParam(value: unknown, min: number, max: number, name: string, notes: string[]): number | undefined {
  if (typeof value !== "number" || Number.isNaN(value)) return undefined;
  const clamped = Math.min(max, Math.max(min, value));
  if (clamped !== value) notes.push(`${name} ${value} is outside Portflow's ${min}–${max}: set to ${clamped}`);
  return clamped;
}

/**
 * `llm`: system messages become the system prompt, user (and assistant) messages the user prompt;
 * `{{#node.var#}}` become mapped ports, `{{#context#}}` the `context` port; the model goes
 * through `options.modelMap` (default: the server's provider).
 */
export const mapLlm: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(llmSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  const notes: string[] = [];
  const context = data.context?.enabled === true ? data.context.variable_selector : undefined;
  if (context && context.length > 0) {
    inputs.bind("context", context, [...at, "context", "variable_selector"]);
  } else {
    inputs.claim("context");
  }
  const jinja = data.prompt_config?.jinja2_variables ?? [];
  const messages = Array.isArray(data.prompt_template) ? data.prompt_template : [data.prompt_template];
  const system: string[] = [];
  const user: string[] = [];
  let assistantTurns = 0;
  messages.forEach((m, i) => {
    const path = [...at, "prompt_template", ...(Array.isArray(data.prompt_template) ? [i] : []), "text"];
    const text =
      m.edition_type === "jinja2"
        ? jinjaTemplate(
            m.jinja2_text ?? m.text ?? "",
            jinja,
            inputs,
            path,
            [...at, "prompt_config", "jinja2_variables"],
            ctx,
          )
        : inputs.template(m.text ?? "", path);
    if (m.role === "system") system.push(text);
    else if (m.role === "user") user.push(text);
    else {
      assistantTurns++;
      user.push(`Assistant: ${text}`);
    }
  });
  if (assistantTurns > 0)
    notes.push(`${assistantTurns} assistant message(s) (few-shot turns) were folded into the user prompt`);
  if (user.length === 0) {
    if (ctx.mode === "advanced-chat") {
      const query = data.memory?.query_prompt_template;
      user.push(query ? inputs.template(query, [...at, "memory", "query_prompt_template"]) : "{{sys.query}}");
    } else if (system.length > 0) {
      user.push(...system.splice(0));
      notes.push("no user message in Dify: the system prompt is sent as the user prompt");
    }
  }
  if (data.memory) {
    const size = data.memory.window?.enabled === true ? data.memory.window.size : undefined;
    notes.push(
      size !== undefined && size !== null
        ? `memory window of ${size} messages: Portflow passes the chat session's history (its own window)`
        : "memory: Portflow passes the chat session's history",
    );
  } else {
    inputs.constant("messages", []); // Dify sends no history without memory
  }
  if (data.vision?.enabled === true) notes.push("vision (image inputs) is not imported");
  if (data.structured_output_enabled === true) notes.push("structured output is not imported: the node returns text");

  const params = data.model.completion_params ?? {};
  const config: Record<string, unknown> = { system_prompt: system.join("\n\n"), user_prompt: user.join("\n\n") };
  const model = ctx.model([...at, "model"], data.model.provider, data.model.name);
  if (model !== undefined) config.model = model;
  const temperature = numberParam(params.temperature, 0, 1, "temperature", notes);
  if (temperature !== undefined) config.temperature = temperature;
  const maxTokens = numberParam(params.max_tokens, 1, 200_000, "max_tokens", notes);
  if (maxTokens !== undefined) config.max_tokens = Math.round(maxTokens);
  const topP = numberParam(params.top_p, 0, 1, "top_p", notes);
  if (topP !== undefined) config.top_p = topP;
  if (Array.isArray(params.stop)) {
    const stop = params.stop.filter((s): s is string => typeof s === "string" && s !== "").slice(0, 8);
    if (stop.length > 0) config.stop = stop;
  }
  const dropped = ["presence_penalty", "frequency_penalty", "seed", "response_format"].filter((k) => k in params);
  if (dropped.length > 0) notes.push(`not imported: ${dropped.join(", ")}`);
  return {
    nodes: [portflowNode(node, "llm", config, inputs, ctx)],
    portflowType: "llm",
    notes: [...notes, ...inputs.notes],
  };
};
