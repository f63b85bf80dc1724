import { BaseNodeV2, type NodeContext, type NodePortSchema, type NodeRunResult, type PortType } from "@portflow/engine";
import { z } from "zod";
import { answeredBy, type ModelProvider } from "../model-provider.ts";
import { jsonSchemaToZod, type RestrictedJsonSchema } from "../structured/json-schema-zod.ts";
import { chatModelFor, type ModelNodeOptions, modelSelectionSchema } from "./model-selection.ts";

const PARAMETER_TYPES = [
  "string",
  "number",
  "integer",
  "boolean",
  "array[string]",
  "array[number]",
  "array[integer]",
  "array[boolean]",
] as const;
type ParameterType = (typeof PARAMETER_TYPES)[number];

const parameterSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "a parameter name is a letter followed by up to 63 letters, digits or _"),
    type: z.enum(PARAMETER_TYPES),
    description: z.string().max(2_000).default(""),
    required: z.boolean().default(false),
  })
  .strict();

const parameterExtractorConfigSchemaFor = (providers?: readonly ModelProvider[]) =>
  z
    .object({
      parameters: z.array(parameterSchema).min(1).max(50),
      /** Extra guidance for the model (a template over the node's inputs). */
      instruction: z.string().max(10_000).default(""),
      /** A model id for the default provider, or `{provider, name?, fallback?}`. */
      model: modelSelectionSchema(providers).optional(),
      temperature: z.number().min(0).max(1).default(0),
      max_tokens: z.number().int().min(16).max(8_192).default(1024),
    })
    .strict()
    .superRefine((config, ctx) => {
      const seen = new Set<string>();
      for (const [i, p] of config.parameters.entries()) {
        if (seen.has(p.name))
          ctx.addIssue({ code: "custom", path: ["parameters", i, "name"], message: `duplicate parameter "${p.name}"` });
        seen.add(p.name);
      }
    });

/** Config of the `parameter-extractor` node. */
export type ParameterExtractorConfig = z.output<ReturnType<typeof parameterExtractorConfigSchemaFor>>;

function jsonSchemaOf(type: ParameterType, description: string): RestrictedJsonSchema {
  const array = /^array\[(\w+)\]$/.exec(type)?.[1] as "string" | "number" | "integer" | "boolean" | undefined;
  if (array) return { type: "array", items: { type: array }, ...(description ? { description } : {}) };
  return { type: type as "string", ...(description ? { description } : {}) };
}

function portTypeOf(type: ParameterType): PortType {
  if (type.startsWith("array")) return "array";
  return type === "integer" ? "number" : (type as PortType);
}

/**
 * `parameter-extractor`: asks the run's ChatModel (structured output: a forced tool call on
 * Bedrock, the offline extractor locally) for the declared parameters found in `query`, and
 * validates the answer with zod built from the declaration. Outputs one port per parameter plus
 * `__is_success` and `__reason` (why it failed: a required parameter missing, a wrong type).
 *
 * @example
 * { "id": "extract", "type": "parameter-extractor",
 *   "config": { "parameters": [{ "name": "order_id", "type": "string", "description": "the order number", "required": true },
 *                              { "name": "quantity", "type": "integer" }] },
 *   "variable_mappings": [{ "target_port": "query", "selector": ["start", "query"] }] }
 */
export class ParameterExtractorNode extends BaseNodeV2<ParameterExtractorConfig, { query: string }> {
  readonly type = "parameter-extractor";
  override readonly description = "Extracts declared, typed parameters from the query with the chat model.";
  readonly configSchema: ReturnType<typeof parameterExtractorConfigSchemaFor>;

  constructor(options: ModelNodeOptions = {}) {
    super();
    this.configSchema = parameterExtractorConfigSchemaFor(options.providers);
  }

  ports(config: ParameterExtractorConfig): NodePortSchema {
    return {
      inputs: [{ name: "query", type: "string", required: true, description: "The text to extract from." }],
      outputs: [
        ...config.parameters.map((p) => ({
          name: p.name,
          type: portTypeOf(p.type),
          ...(p.description ? { description: p.description } : {}),
        })),
        { name: "__is_success", type: "boolean" as const },
        { name: "__reason", type: "string" as const },
      ],
      dynamicInputs: true,
      templates: [{ path: ["instruction"], template: config.instruction }],
    };
  }

  async run(
    inputs: { query: string },
    ctx: NodeContext<ParameterExtractorConfig>,
  ): Promise<NodeRunResult<Record<string, unknown>>> {
    const { parameters, model, temperature, max_tokens } = ctx.config;
    const schema: RestrictedJsonSchema = {
      type: "object",
      properties: Object.fromEntries(parameters.map((p) => [p.name, jsonSchemaOf(p.type, p.description)])),
      required: parameters.filter((p) => p.required).map((p) => p.name),
    };
    const instruction = ctx.render(ctx.config.instruction, inputs);
    const system = [
      "Extract the parameters from the input. Use null for a parameter the input does not give; never invent values.",
      instruction,
    ]
      .filter((s) => s.trim() !== "")
      .join("\n\n");
    const selected = chatModelFor(ctx, this.type, model);
    const response = await selected.chatModel.chat(
      {
        ...(selected.model !== undefined ? { model: selected.model } : {}),
        system,
        messages: [{ role: "user", content: `Input:\n${inputs.query}` }],
        temperature,
        maxTokens: max_tokens,
        structured: { name: "extract_parameters", description: "Report the parameters found in the input.", schema },
      },
      { signal: ctx.signal },
    );
    const empty = Object.fromEntries(parameters.map((p) => [p.name, null]));
    const parsed = jsonSchemaToZod(schema).safeParse(response.structured);
    const base = { tokens: response.usage };
    if (!parsed.success) {
      const reason = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "answer"}: ${issue.message}`)
        .join("; ");
      return {
        ...base,
        outputs: { ...empty, __is_success: false, __reason: reason },
        processData: {
          model: response.model,
          ...answeredBy(response),
          answer: response.structured ?? response.text,
          reason,
        },
      };
    }
    const values = parsed.data as Record<string, unknown>;
    return {
      ...base,
      outputs: { ...empty, ...values, __is_success: true, __reason: "" },
      processData: { model: response.model, ...answeredBy(response), answer: values },
    };
  }
}
