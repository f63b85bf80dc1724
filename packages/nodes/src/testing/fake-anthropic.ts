import { randomUUID } from "node:crypto";
import { localStructuredOutput } from "../local/local-structured-output.ts";
import { restrictedJsonSchemaSchema } from "../structured/json-schema-zod.ts";
import {
  type FakeModelFault,
  type FakeModelRequest,
  fakeTokenCount,
  startFakeModelServer,
  textDeltas,
} from "./fake-model-server.ts";

/** The parts of a Messages API body the fake reads. */
export interface AnthropicMessagesBody {
  readonly model?: string;
  readonly max_tokens?: number;
  readonly system?: string;
  readonly messages?: readonly { readonly role?: string; readonly content?: unknown }[];
  readonly stream?: boolean;
  readonly tools?: readonly { readonly name?: string; readonly input_schema?: unknown }[];
}

/** Options of {@link startFakeAnthropic}. */
export interface FakeAnthropicOptions {
  /** The answer text. Default: `Fake Anthropic answer to: <last user message>`. */
  readonly reply?: (body: AnthropicMessagesBody) => string;
  /** Characters per streamed delta. Default 8. */
  readonly deltaSize?: number;
}

/** A running fake Anthropic API. */
export interface FakeAnthropic {
  /** `http://127.0.0.1:PORT`, for the client's `baseURL`. */
  readonly baseURL: string;
  readonly requests: FakeModelRequest[];
  script(...faults: FakeModelFault[]): void;
  reset(): void;
  close(): Promise<void>;
}

const ANTHROPIC_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function lastUser(body: AnthropicMessagesBody): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  return typeof user?.content === "string" ? user.content : "";
}

/**
 * Starts a fake Anthropic Messages API on 127.0.0.1 that the real `@anthropic-ai/sdk` talks to
 * (`baseURL`): `POST /v1/messages` as JSON or as SSE (`message_start`, `content_block_delta`, …,
 * `message_stop`), forced tool calls answered by the offline extractor, the API's checks (user
 * turn first, `max_tokens` required), and the faults of `FakeModelFault`.
 *
 * @example
 * const fake = await startFakeAnthropic();
 * const client = createAnthropicClient({ baseURL: fake.baseURL, apiKey: "sk-ant-test" });
 */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const deltaSize = options.deltaSize ?? 8;
  const error = (type: string, message: string) => ({ type: "error", error: { type, message } });
  const server = await startFakeModelServer({
    errorBody: (status, type, message) => error(type ?? ANTHROPIC_TYPES[status] ?? "api_error", message),
    async handle({ request, fault, json, sse }) {
      if (request.method !== "POST" || request.path !== "/v1/messages") return false;
      const body = (
        typeof request.body === "object" && request.body !== null ? request.body : {}
      ) as AnthropicMessagesBody;
      if (typeof body.max_tokens !== "number") {
        json(400, error("invalid_request_error", "max_tokens: Field required"));
        return true;
      }
      if (!Array.isArray(body.messages) || body.messages[0]?.role !== "user") {
        json(400, error("invalid_request_error", "messages: the first message must use the user role"));
        return true;
      }
      const model = body.model ?? "";
      const id = `msg_${randomUUID()}`;
      const inputTokens = fakeTokenCount(
        [body.system ?? "", ...body.messages.map((m) => String(m.content ?? ""))].join("\n"),
      );
      const tool = body.tools?.[0];
      if (tool !== undefined) {
        const schema = restrictedJsonSchemaSchema.safeParse(tool.input_schema);
        if (!schema.success || !tool.name) {
          json(400, error("invalid_request_error", "tools.0.input_schema: invalid JSON schema"));
          return true;
        }
        json(200, {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [
            {
              type: "tool_use",
              id: `toolu_${randomUUID()}`,
              name: tool.name,
              input: localStructuredOutput(schema.data, lastUser(body)),
            },
          ],
          stop_reason: "tool_use",
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: 20 },
        });
        return true;
      }
      const text =
        options.reply?.(body) ?? `Fake Anthropic answer to: ${lastUser(body).replace(/\s+/g, " ").trim().slice(-120)}`;
      const outputTokens = fakeTokenCount(text);
      if (body.stream !== true) {
        json(200, {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [{ type: "text", text }],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        });
        return true;
      }
      const stream = sse();
      const send = (type: string, data: object) => stream.send(type, { type, ...data });
      const started = send("message_start", {
        message: {
          id,
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: 1 },
        },
      });
      if (!started) return true;
      send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
      for (const [i, delta] of textDeltas(text, deltaSize).entries()) {
        if (fault && i === (fault.afterDeltas ?? 1)) {
          stream.send("error", error(fault.type ?? "overloaded_error", fault.message ?? "Overloaded"));
          stream.end();
          return true;
        }
        if (!send("content_block_delta", { index: 0, delta: { type: "text_delta", text: delta } })) return true;
      }
      send("content_block_stop", { index: 0 });
      send("message_delta", {
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: outputTokens },
      });
      send("message_stop", {});
      stream.end();
      return true;
    },
  });
  return {
    baseURL: server.origin,
    requests: server.requests,
    script: (...faults) => server.script(...faults),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}
