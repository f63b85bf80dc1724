import {
  BaseNodeV2,
  type ChatMessage,
  type ChatResponse,
  type NodeContext,
  type NodePortSchema,
  type NodeRunResult,
} from "@portflow/engine";
import { z } from "zod";
import { answeredBy, type ModelProvider } from "../model-provider.ts";
import { formatContext, isRetrievedDocumentArray } from "../retrieved-document.ts";
import { jsonSchemaToZod, restrictedJsonSchemaSchema } from "../structured/json-schema-zod.ts";
import { chatModelFor, type ModelNodeOptions, modelSelectionSchema } from "./model-selection.ts";

const responseFormatSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }).strict(),
  z
    .object({
      type: z.literal("json_schema"),
      /** What the answer must match: the subset `jsonSchemaToZod` documents. */
      schema: restrictedJsonSchemaSchema,
      name: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/)
        .default("answer"),
    })
    .strict(),
]);

/** The `llm` config schema; with the configured providers, `model.provider` must be one of them. */
const llmConfigSchemaFor = (providers?: readonly ModelProvider[]) =>
  z
    .object({
      /** System prompt template (`{{port}}`, `{{sys.x}}`, `{{env.X}}`). */
      system_prompt: z.string().default(""),
      /** User prompt template. */
      user_prompt: z.string().default("{{query}}"),
      /** A model id for the default provider, or `{provider, name?, fallback?}`; the default model when omitted. */
      model: modelSelectionSchema(providers).optional(),
      temperature: z.number().min(0).max(1).default(0.7),
      max_tokens: z.number().int().min(1).max(200_000).default(1024),
      top_p: z.number().min(0).max(1).optional(),
      stop: z.array(z.string().min(1)).max(8).optional(),
      /** `json_schema`: the model answers JSON matching `schema`, validated, in the `json` output (no streaming). */
      response_format: responseFormatSchema.optional(),
      /** Only the last `window` turns (a user message and what follows it) of `messages` reach the model. */
      memory: z
        .object({ window: z.number().int().min(0).max(1_000) })
        .strict()
        .optional(),
    })
    .strict();

/** Config of the `llm` node. */
export type LlmConfig = z.output<ReturnType<typeof llmConfigSchemaFor>>;

/** Inputs of the `llm` node; any other mapped port is available to the templates too. */
export interface LlmInputs extends Record<string, unknown> {
  readonly query?: string;
  /** Context text, or a `documents` array (rendered as numbered context). */
  readonly context?: unknown;
  readonly messages?: unknown;
}

/** Outputs of the `llm` node. */
export interface LlmOutputs extends Record<string, unknown> {
  readonly text: string;
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number };
  readonly stop_reason: string;
  /** With `response_format: json_schema`: the validated answer. */
  readonly json?: unknown;
}

const historySchema = z.array(
  z.object({ role: z.enum(["user", "assistant"]), content: z.string() }).transform((m) => m as ChatMessage),
);

/**
 * `llm`: renders its system and user prompt templates over its inputs, prepends the optional chat
 * history (`messages`), calls the run's ChatModel with streaming, and emits each text delta as a
 * node chunk. The rendered prompts are kept in process data.
 *
 * @example
 * { "id": "answer", "type": "llm",
 *   "config": { "system_prompt": "Answer from the context; cite [n].", "user_prompt": "{{context}}\n\nQ: {{query}}",
 *               "temperature": 0.2, "max_tokens": 800 },
 *   "variable_mappings": [{ "target_port": "query", "selector": ["start", "query"] },
 *                         { "target_port": "context", "selector": ["retrieve", "context"] }] }
 */
export class LlmNode extends BaseNodeV2<LlmConfig, LlmInputs, LlmOutputs> {
  readonly type = "llm";
  override readonly description = "Calls the chat model with rendered prompts and streams the answer.";
  override readonly streamsTo = "text";
  readonly configSchema: ReturnType<typeof llmConfigSchemaFor>;

  constructor(options: ModelNodeOptions = {}) {
    super();
    this.configSchema = llmConfigSchemaFor(options.providers);
  }

  ports(config?: LlmConfig): NodePortSchema {
    return {
      inputs: [
        { name: "query", type: "string", required: false, description: "The user's question." },
        { name: "context", type: "string", required: false, default: "", description: "Context text or documents." },
        { name: "messages", type: "messages", required: false, description: "Chat history, oldest first." },
      ],
      outputs: [
        { name: "text", type: "string" },
        { name: "usage", type: "object", description: "{ input_tokens, output_tokens }" },
        { name: "stop_reason", type: "string" },
        ...(config?.response_format?.type === "json_schema"
          ? [{ name: "json", type: "any" as const, description: "The answer, validated against the schema." }]
          : []),
      ],
      dynamicInputs: true,
      templates: [
        { path: ["system_prompt"], template: config?.system_prompt ?? "" },
        { path: ["user_prompt"], template: config?.user_prompt ?? "{{query}}" },
      ],
    };
  }

  async run(inputs: LlmInputs, ctx: NodeContext<LlmConfig>): Promise<NodeRunResult<LlmOutputs>> {
    const config = ctx.config;
    const values: Record<string, unknown> = { ...inputs };
    if (isRetrievedDocumentArray(inputs.context)) values.context = formatContext(inputs.context);
    else if (inputs.context === undefined || inputs.context === null) values.context = "";

    let history: ChatMessage[] = [];
    if (inputs.messages !== undefined && inputs.messages !== null) {
      const parsed = historySchema.safeParse(inputs.messages);
      if (!parsed.success) {
        throw new TypeError(
          `llm node "${ctx.nodeId}": input "messages" must be an array of {role: "user"|"assistant", content: string}`,
        );
      }
      history = parsed.data;
    }
    const fullHistory = history.length;
    if (config.memory !== undefined) history = lastTurns(history, config.memory.window);

    const system = ctx.render(config.system_prompt, values);
    const user = ctx.render(config.user_prompt, values);
    const { chatModel, model } = chatModelFor(ctx, this.type, config.model);
    const format = config.response_format;
    const request = {
      ...(model !== undefined ? { model } : {}),
      ...(system.trim() ? { system } : {}),
      messages: [...history, { role: "user" as const, content: user }],
      maxTokens: config.max_tokens,
      temperature: config.temperature,
      ...(config.top_p !== undefined ? { topP: config.top_p } : {}),
      ...(config.stop ? { stopSequences: config.stop } : {}),
    };
    const prompts = {
      system_prompt: system,
      user_prompt: user,
      history_messages: history.length,
      ...(config.memory !== undefined
        ? { memory_window: config.memory.window, history_messages_given: fullHistory }
        : {}),
    };
    if (format?.type === "json_schema") {
      const response = await chatModel.chat(
        { ...request, structured: { name: format.name, schema: format.schema } },
        { signal: ctx.signal },
      );
      const checked = jsonSchemaToZod(format.schema).safeParse(response.structured);
      if (!checked.success) {
        throw new TypeError(
          `llm node "${ctx.nodeId}": the model's JSON does not match response_format.schema: ${checked.error.issues
            .map((i) => `${i.path.join(".") || "answer"}: ${i.message}`)
            .join("; ")}`,
        );
      }
      const text = JSON.stringify(checked.data);
      ctx.emit(text);
      const answer = answerRecord(response, prompts);
      return {
        outputs: { text, ...answer.outputs, json: checked.data },
        tokens: response.usage,
        processData: { ...answer.processData, response_format: "json_schema" },
      };
    }
    const started = performance.now();
    let firstChunkMs: number | undefined;
    let streamed = false;
    const response = await chatModel.chat(request, {
      signal: ctx.signal,
      onText: (delta) => {
        firstChunkMs ??= performance.now() - started;
        if (delta !== "") {
          streamed = true;
          ctx.emit(delta);
        }
      },
    });
    // a model that ignores onText still shows up in the stream, as one chunk
    if (!streamed && response.text !== "") ctx.emit(response.text);
    const answer = answerRecord(response, prompts);
    return {
      outputs: { text: response.text, ...answer.outputs },
      tokens: response.usage,
      processData: {
        ...answer.processData,
        temperature: config.temperature,
        max_tokens: config.max_tokens,
        ...(config.top_p !== undefined ? { top_p: config.top_p } : {}),
        ...(config.stop ? { stop: config.stop } : {}),
        ...(firstChunkMs !== undefined ? { first_chunk_ms: Math.round(firstChunkMs) } : {}),
      },
    };
  }
}

/**
 * What every answer records, plain or structured: its token usage and stop reason (outputs), the
 * model that answered and the prompts it was given (process data).
 */
function answerRecord(response: ChatResponse, prompts: Readonly<Record<string, unknown>>) {
  return {
    outputs: {
      usage: { input_tokens: response.usage.input, output_tokens: response.usage.output },
      stop_reason: response.stopReason,
    },
    processData: { model: response.model, ...answeredBy(response), ...prompts },
  };
}

/** The last `window` turns of `history`: from the `window`-th last user message on (0: none). */
function lastTurns(history: readonly ChatMessage[], window: number): ChatMessage[] {
  if (window === 0) return [];
  let users = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]?.role === "user" && ++users === window) return history.slice(i);
  }
  return [...history];
}
