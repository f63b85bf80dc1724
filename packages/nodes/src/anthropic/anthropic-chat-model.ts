import type Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsBase } from "@anthropic-ai/sdk/resources/messages";
import type { ChatModel, ChatOptions, ChatRequest } from "@portflow/engine";
import { z } from "zod";
import { alternatingTurns } from "../alternating-turns.ts";
import type { ProviderChatResponse } from "../model-provider.ts";
import { ProviderError } from "../provider-error.ts";
import { anthropicError } from "./anthropic-error.ts";

/** The default chat model. */
export const DEFAULT_ANTHROPIC_CHAT_MODEL = "claude-haiku-4-5";

/** Messages API requires `max_tokens`; used when a request gives none. */
const DEFAULT_MAX_TOKENS = 1024;

/** Options of {@link AnthropicChatModel}. */
export interface AnthropicChatModelOptions {
  readonly client: Anthropic;
  /** Model used when a request names none. Default {@link DEFAULT_ANTHROPIC_CHAT_MODEL}. */
  readonly model?: string;
}

const messageSchema = z.looseObject({
  content: z.array(
    z.looseObject({
      type: z.string(),
      text: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullable(),
  usage: z.looseObject({ input_tokens: z.number().int().nonnegative(), output_tokens: z.number().int().nonnegative() }),
});

function invalid(operation: string, detail: string): ProviderError {
  return new ProviderError(`Anthropic ${operation} returned an unexpected response: ${detail}`, {
    provider: "anthropic",
    kind: "invalid_response",
  });
}

/**
 * Claude over the Anthropic Messages API (`@anthropic-ai/sdk`). With `onText` it streams
 * (server-sent events: text deltas, usage from `message_start` and `message_delta`); structured
 * output is a forced tool call whose input is the answer. Failures are `ProviderError`s:
 * throttling, overload (529), 5xx, timeouts and connection failures retryable, a refused request not.
 * Chat only: Anthropic has no embeddings API.
 *
 * @example
 * const model = new AnthropicChatModel({ client: createAnthropicClient({ apiKey }) });
 * const res = await model.chat({ system: "Be brief.", messages: [{ role: "user", content: "Hi" }] }, { signal });
 */
export class AnthropicChatModel implements ChatModel {
  readonly model: string;
  readonly #client: Anthropic;

  constructor(options: AnthropicChatModelOptions) {
    this.#client = options.client;
    this.model = options.model ?? DEFAULT_ANTHROPIC_CHAT_MODEL;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ProviderChatResponse> {
    options.signal?.throwIfAborted();
    const model = request.model ?? this.model;
    const messages = alternatingTurns(request.messages);
    if (messages.length === 0) throw new TypeError("a chat request needs at least one non-empty user message");
    const params: MessageCreateParamsBase = {
      model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS,
      ...(request.system ? { system: request.system } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.stopSequences !== undefined ? { stop_sequences: [...request.stopSequences] } : {}),
    };
    const operation = `messages ${model}`;
    const signal = options.signal ? { signal: options.signal } : {};
    try {
      if (request.structured || !options.onText) {
        const structured = request.structured;
        const message = await this.#client.messages.create(
          {
            ...params,
            stream: false,
            ...(structured
              ? {
                  tools: [
                    {
                      name: structured.name,
                      ...(structured.description ? { description: structured.description } : {}),
                      input_schema: structured.schema as Anthropic.Tool.InputSchema,
                    },
                  ],
                  tool_choice: { type: "tool" as const, name: structured.name },
                }
              : {}),
          },
          signal,
        );
        const parsed = messageSchema.safeParse(message);
        if (!parsed.success) throw invalid(operation, z.prettifyError(parsed.error));
        const { content, stop_reason, usage } = parsed.data;
        const base = {
          text: content.map((block) => (block.type === "text" ? (block.text ?? "") : "")).join(""),
          usage: { input: usage.input_tokens, output: usage.output_tokens },
          stopReason: stop_reason ?? "end_turn",
          model,
          provider: "anthropic",
        };
        if (!structured) return base;
        const call = content.find((block) => block.type === "tool_use" && block.name === structured.name);
        if (!call) throw invalid(operation, `the model did not call the tool "${structured.name}"`);
        return { ...base, structured: call.input };
      }
      const stream = await this.#client.messages.create({ ...params, stream: true }, signal);
      let text = "";
      let stopReason: string | null | undefined;
      let usage = { input: 0, output: 0 };
      for await (const event of stream) {
        options.signal?.throwIfAborted();
        if (event.type === "message_start") {
          usage = { input: event.message.usage.input_tokens, output: event.message.usage.output_tokens };
        } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
          if (event.delta.text !== "") {
            text += event.delta.text;
            options.onText(event.delta.text);
          }
        } else if (event.type === "message_delta") {
          stopReason = event.delta.stop_reason ?? stopReason;
          usage = { input: event.usage.input_tokens ?? usage.input, output: event.usage.output_tokens };
        }
      }
      return { text, usage, stopReason: stopReason ?? "end_turn", model, provider: "anthropic" };
    } catch (error) {
      options.signal?.throwIfAborted();
      throw anthropicError(error, operation);
    }
  }
}
