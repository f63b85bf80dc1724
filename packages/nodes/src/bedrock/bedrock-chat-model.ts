import {
  type BedrockRuntimeClient,
  ConverseCommand,
  type ConverseCommandInput,
  ConverseStreamCommand,
  type Message,
} from "@aws-sdk/client-bedrock-runtime";
import type { ChatMessage, ChatModel, ChatOptions, ChatRequest } from "@portflow/engine";
import { z } from "zod";
import { alternatingTurns } from "../alternating-turns.ts";
import type { ProviderChatResponse } from "../model-provider.ts";
import { BedrockError } from "./bedrock-error.ts";

/** The default chat model. */
export const DEFAULT_BEDROCK_CHAT_MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0";

/** Options of {@link BedrockChatModel}. */
export interface BedrockChatModelOptions {
  readonly client: BedrockRuntimeClient;
  /** Model id used when a request names none. Default {@link DEFAULT_BEDROCK_CHAT_MODEL}. */
  readonly model?: string;
}

const usageSchema = z.looseObject({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});

const converseResponseSchema = z.looseObject({
  output: z.looseObject({
    message: z.looseObject({
      role: z.literal("assistant"),
      content: z.array(
        z.looseObject({
          text: z.string().optional(),
          toolUse: z.looseObject({ name: z.string(), input: z.unknown() }).optional(),
        }),
      ),
    }),
  }),
  stopReason: z.string(),
  usage: usageSchema,
});

const deltaSchema = z.looseObject({ delta: z.looseObject({ text: z.string().optional() }).optional() });
const messageStopSchema = z.looseObject({ stopReason: z.string() });
const metadataSchema = z.looseObject({ usage: usageSchema });

/** Bedrock wants alternating turns starting with the user. */
function toBedrockMessages(messages: readonly ChatMessage[]): Message[] {
  return alternatingTurns(messages).map((m) => ({ role: m.role, content: [{ text: m.content }] }));
}

function invalidResponse(operation: string, error: z.ZodError): BedrockError {
  return new BedrockError(`Bedrock ${operation} returned an unexpected response: ${z.prettifyError(error)}`, {
    code: "InvalidResponse",
  });
}

/**
 * Claude (or any Converse model) on Amazon Bedrock. Without `onText` it calls Converse; with it,
 * ConverseStream, calling `onText` with each text delta in order. Usage and stop reason are
 * mapped; the signal is passed to the SDK; throttling and 5xx are retried by the SDK client;
 * any failure surfaces as a {@link BedrockError} quoting Bedrock's message.
 *
 * @example
 * const model = new BedrockChatModel({ client: createBedrockClient({ region: "us-east-1" }) });
 * const res = await model.chat({ system: "Be brief.", messages: [{ role: "user", content: "Hi" }] },
 *   { signal, onText: (d) => process.stdout.write(d) });
 */
export class BedrockChatModel implements ChatModel {
  readonly model: string;
  readonly #client: BedrockRuntimeClient;

  constructor(options: BedrockChatModelOptions) {
    this.#client = options.client;
    this.model = options.model ?? DEFAULT_BEDROCK_CHAT_MODEL;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ProviderChatResponse> {
    options.signal?.throwIfAborted();
    const modelId = request.model ?? this.model;
    const messages = toBedrockMessages(request.messages);
    if (messages.length === 0) throw new TypeError("a chat request needs at least one non-empty user message");
    const input: ConverseCommandInput = {
      modelId,
      messages,
      ...(request.system ? { system: [{ text: request.system }] } : {}),
      inferenceConfig: {
        ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.topP !== undefined ? { topP: request.topP } : {}),
        ...(request.stopSequences !== undefined ? { stopSequences: [...request.stopSequences] } : {}),
      },
    };
    if (request.structured) {
      // a forced tool call: the model must answer with the tool's input, matching the schema
      const { name, description, schema } = request.structured;
      input.toolConfig = {
        tools: [
          {
            toolSpec: {
              name,
              ...(description ? { description } : {}),
              inputSchema: { json: schema as Record<string, never> },
            },
          },
        ],
        toolChoice: { tool: { name } },
      };
      return this.#converse(input, modelId, options.signal, name);
    }
    return options.onText
      ? this.#stream(input, modelId, options.onText, options.signal)
      : this.#converse(input, modelId, options.signal);
  }

  async #converse(
    input: ConverseCommandInput,
    modelId: string,
    signal: AbortSignal | undefined,
    toolName?: string,
  ): Promise<ProviderChatResponse> {
    let response: unknown;
    try {
      response = await this.#client.send(new ConverseCommand(input), signal ? { abortSignal: signal } : {});
    } catch (error) {
      signal?.throwIfAborted();
      throw BedrockError.from(error, `converse ${modelId}`);
    }
    const parsed = converseResponseSchema.safeParse(response);
    if (!parsed.success) throw invalidResponse(`converse ${modelId}`, parsed.error);
    const { output, stopReason, usage } = parsed.data;
    const text = output.message.content.map((block) => block.text ?? "").join("");
    const base = {
      text,
      usage: { input: usage.inputTokens, output: usage.outputTokens },
      stopReason,
      model: modelId,
      provider: "bedrock",
    };
    if (toolName === undefined) return base;
    const toolUse = output.message.content.find((block) => block.toolUse?.name === toolName)?.toolUse;
    if (!toolUse) {
      throw new BedrockError(
        `Bedrock converse ${modelId} did not call the tool "${toolName}" (stop reason ${stopReason})`,
        {
          code: "InvalidResponse",
        },
      );
    }
    return { ...base, structured: toolUse.input };
  }

  async #stream(
    input: ConverseCommandInput,
    modelId: string,
    onText: (delta: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<ProviderChatResponse> {
    const operation = `converse-stream ${modelId}`;
    let text = "";
    let stopReason: string | undefined;
    let usage = { input: 0, output: 0 };
    try {
      const response = await this.#client.send(new ConverseStreamCommand(input), signal ? { abortSignal: signal } : {});
      if (!response.stream)
        throw new BedrockError(`Bedrock ${operation} returned no event stream`, { code: "InvalidResponse" });
      for await (const event of response.stream) {
        signal?.throwIfAborted();
        if (event.contentBlockDelta) {
          const parsed = deltaSchema.safeParse(event.contentBlockDelta);
          if (!parsed.success) throw invalidResponse(operation, parsed.error);
          const delta = parsed.data.delta?.text;
          if (delta) {
            text += delta;
            onText(delta);
          }
        } else if (event.messageStop) {
          const parsed = messageStopSchema.safeParse(event.messageStop);
          if (!parsed.success) throw invalidResponse(operation, parsed.error);
          stopReason = parsed.data.stopReason;
        } else if (event.metadata) {
          const parsed = metadataSchema.safeParse(event.metadata);
          if (!parsed.success) throw invalidResponse(operation, parsed.error);
          usage = { input: parsed.data.usage.inputTokens, output: parsed.data.usage.outputTokens };
        } else {
          const exception = Object.entries(event).find(([key, value]) => key.endsWith("Exception") && value);
          if (exception) {
            const [key, value] = exception;
            const message = (value as { message?: string }).message ?? "stream failed";
            throw new BedrockError(`Bedrock ${key[0]?.toUpperCase()}${key.slice(1)} from ${operation}: ${message}`, {
              code: key,
            });
          }
        }
      }
    } catch (error) {
      signal?.throwIfAborted();
      throw BedrockError.from(error, operation);
    }
    // Over HTTP/2 an aborted stream can simply end; make cancellation visible.
    signal?.throwIfAborted();
    if (stopReason === undefined) {
      throw new BedrockError(`Bedrock ${operation}: the stream ended before messageStop`, { code: "IncompleteStream" });
    }
    return { text, usage, stopReason, model: modelId, provider: "bedrock" };
  }
}
