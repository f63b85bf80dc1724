import type { ChatModel, ChatOptions, ChatRequest } from "@portflow/engine";
import type OpenAI from "openai";
import type { ChatCompletionCreateParamsBase, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { z } from "zod";
import type { ProviderChatResponse } from "../model-provider.ts";
import { ProviderError } from "../provider-error.ts";
import { openAiError } from "./openai-error.ts";

/** The default chat model. */
export const DEFAULT_OPENAI_CHAT_MODEL = "gpt-4o-mini";

/** Options of {@link OpenAiChatModel}. */
export interface OpenAiChatModelOptions {
  readonly client: OpenAI;
  /** Model used when a request names none. Default {@link DEFAULT_OPENAI_CHAT_MODEL}. */
  readonly model?: string;
}

const usageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
});

const completionSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        finish_reason: z.string().nullable(),
        message: z.looseObject({
          content: z.string().nullable().optional(),
          tool_calls: z
            .array(z.looseObject({ function: z.looseObject({ name: z.string(), arguments: z.string() }) }))
            .nullable()
            .optional(),
        }),
      }),
    )
    .min(1),
  usage: usageSchema.nullable().optional(),
});

/** OpenAI's finish reasons in the engine's words. */
function stopReasonOf(finish: string | null | undefined): string {
  switch (finish) {
    case "stop":
      return "end_turn";
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    default:
      return finish ?? "end_turn";
  }
}

function invalid(operation: string, detail: string): ProviderError {
  return new ProviderError(`OpenAI ${operation} returned an unexpected response: ${detail}`, {
    provider: "openai",
    kind: "invalid_response",
  });
}

/**
 * Chat over the OpenAI Chat Completions API (`baseURL` makes it any compatible server). With
 * `onText` it streams (`stream_options.include_usage` for token counts); structured output is a
 * forced function call whose arguments are the answer. Failures are `ProviderError`s:
 * throttling, 5xx, timeouts and connection failures retryable, a refused request not.
 *
 * @example
 * const model = new OpenAiChatModel({ client: createOpenAiClient({ apiKey }) });
 * const res = await model.chat({ messages: [{ role: "user", content: "Hi" }] }, { onText: (d) => out.write(d) });
 */
export class OpenAiChatModel implements ChatModel {
  readonly model: string;
  readonly #client: OpenAI;

  constructor(options: OpenAiChatModelOptions) {
    this.#client = options.client;
    this.model = options.model ?? DEFAULT_OPENAI_CHAT_MODEL;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ProviderChatResponse> {
    options.signal?.throwIfAborted();
    const model = request.model ?? this.model;
    const messages: ChatCompletionMessageParam[] = [
      ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
      ...request.messages.filter((m) => m.content !== "").map((m) => ({ role: m.role, content: m.content })),
    ];
    if (!messages.some((m) => m.role === "user"))
      throw new TypeError("a chat request needs at least one non-empty user message");
    const params: ChatCompletionCreateParamsBase = {
      model,
      messages,
      // `max_tokens`, not `max_completion_tokens`: every compatible server understands it
      ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.topP !== undefined ? { top_p: request.topP } : {}),
      ...(request.stopSequences !== undefined ? { stop: [...request.stopSequences] } : {}),
    };
    const operation = `chat ${model}`;
    const signal = options.signal ? { signal: options.signal } : {};
    try {
      if (request.structured) {
        const { name, description, schema } = request.structured;
        const completion = await this.#client.chat.completions.create(
          {
            ...params,
            stream: false,
            tools: [
              { type: "function", function: { name, ...(description ? { description } : {}), parameters: schema } },
            ],
            tool_choice: { type: "function", function: { name } },
          },
          signal,
        );
        return this.#structured(completion, model, name);
      }
      if (!options.onText) {
        const completion = await this.#client.chat.completions.create({ ...params, stream: false }, signal);
        const parsed = completionSchema.safeParse(completion);
        if (!parsed.success) throw invalid(operation, z.prettifyError(parsed.error));
        const choice = parsed.data.choices[0] as z.output<typeof completionSchema>["choices"][number];
        return {
          text: choice.message.content ?? "",
          usage: usageOf(parsed.data.usage),
          stopReason: stopReasonOf(choice.finish_reason),
          model,
          provider: "openai",
        };
      }
      const stream = await this.#client.chat.completions.create(
        { ...params, stream: true, stream_options: { include_usage: true } },
        signal,
      );
      let text = "";
      let finish: string | null | undefined;
      let usage = { input: 0, output: 0 };
      for await (const chunk of stream) {
        options.signal?.throwIfAborted();
        const choice = chunk.choices?.[0];
        const delta = choice?.delta?.content;
        if (typeof delta === "string" && delta !== "") {
          text += delta;
          options.onText(delta);
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage) usage = usageOf(chunk.usage);
      }
      return { text, usage, stopReason: stopReasonOf(finish), model, provider: "openai" };
    } catch (error) {
      options.signal?.throwIfAborted();
      throw openAiError(error, operation);
    }
  }

  #structured(completion: unknown, model: string, name: string): ProviderChatResponse {
    const operation = `chat ${model}`;
    const parsed = completionSchema.safeParse(completion);
    if (!parsed.success) throw invalid(operation, z.prettifyError(parsed.error));
    const choice = parsed.data.choices[0] as z.output<typeof completionSchema>["choices"][number];
    const call = choice.message.tool_calls?.find((c) => c.function.name === name);
    if (!call) throw invalid(operation, `the model did not call the function "${name}"`);
    let structured: unknown;
    try {
      structured = JSON.parse(call.function.arguments);
    } catch {
      throw invalid(operation, `the arguments of "${name}" are not JSON`);
    }
    return {
      text: choice.message.content ?? "",
      usage: usageOf(parsed.data.usage),
      stopReason: stopReasonOf(choice.finish_reason),
      model,
      provider: "openai",
      structured,
    };
  }
}

function usageOf(usage: { prompt_tokens: number; completion_tokens: number } | null | undefined) {
  return { input: usage?.prompt_tokens ?? 0, output: usage?.completion_tokens ?? 0 };
}
