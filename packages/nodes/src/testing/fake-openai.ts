import { randomUUID } from "node:crypto";
import { LocalEmbedder } from "../local/local-embedder.ts";
import { localStructuredOutput } from "../local/local-structured-output.ts";
import { restrictedJsonSchemaSchema } from "../structured/json-schema-zod.ts";
import {
  type FakeModelFault,
  type FakeModelRequest,
  fakeTokenCount,
  startFakeModelServer,
  textDeltas,
} from "./fake-model-server.ts";

/** The parts of a Chat Completions body the fake reads. */
export interface OpenAiChatBody {
  readonly model?: string;
  readonly messages?: readonly { readonly role?: string; readonly content?: unknown }[];
  readonly stream?: boolean;
  readonly stream_options?: { readonly include_usage?: boolean };
  readonly tools?: readonly { readonly function?: { readonly name?: string; readonly parameters?: unknown } }[];
}

/** Options of {@link startFakeOpenAi}. */
export interface FakeOpenAiOptions {
  /** The answer text. Default: `Fake OpenAI answer to: <last user message>`. */
  readonly reply?: (body: OpenAiChatBody) => string;
  /** Characters per streamed delta. Default 8. */
  readonly deltaSize?: number;
  /** Vector size answered whatever the request asks (to test a mismatch). Default: the request's `dimensions`, else 1536. */
  readonly embeddingDimensions?: number;
}

/** A running fake OpenAI API. */
export interface FakeOpenAi {
  /** `http://127.0.0.1:PORT/v1`, for the client's `baseURL`. */
  readonly baseURL: string;
  readonly requests: FakeModelRequest[];
  script(...faults: FakeModelFault[]): void;
  reset(): void;
  close(): Promise<void>;
}

function lastUser(body: OpenAiChatBody): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === "user");
  return typeof user?.content === "string" ? user.content : "";
}

const OPENAI_TYPES: Readonly<Record<number, string>> = {
  400: "invalid_request_error",
  401: "invalid_api_key",
  404: "model_not_found",
  429: "rate_limit_exceeded",
};

/**
 * Starts a fake OpenAI API on 127.0.0.1 that the real `openai` SDK talks to (`baseURL`):
 * `POST /v1/chat/completions` (JSON, SSE streaming with `[DONE]` and a usage chunk, forced
 * function calls answered by the offline extractor) and `POST /v1/embeddings` (the offline
 * hashing embedder), with the faults of `FakeModelFault`.
 *
 * @example
 * const fake = await startFakeOpenAi();
 * const client = createOpenAiClient({ baseURL: fake.baseURL, apiKey: "sk-test" });
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const deltaSize = options.deltaSize ?? 8;
  const embedders = new Map<number, LocalEmbedder>();
  const server = await startFakeModelServer({
    errorBody: (status, type, message) => ({
      error: { message, type: type ?? OPENAI_TYPES[status] ?? "server_error", param: null, code: type ?? null },
    }),
    async handle({ request, fault, json, sse }) {
      if (request.method !== "POST") return false;
      const body = (typeof request.body === "object" && request.body !== null ? request.body : {}) as OpenAiChatBody &
        Record<string, unknown>;
      if (request.path === "/v1/embeddings") {
        const input = body.input;
        const texts = typeof input === "string" ? [input] : Array.isArray(input) ? input : undefined;
        if (texts === undefined || texts.some((t) => typeof t !== "string" || t === "")) {
          json(400, {
            error: { message: "'input' must be a non-empty string or array of strings", type: "invalid_request_error" },
          });
          return true;
        }
        const dims = options.embeddingDimensions ?? (typeof body.dimensions === "number" ? body.dimensions : 1536);
        const e = embedders.get(dims) ?? new LocalEmbedder({ dimensions: dims });
        embedders.set(dims, e);
        json(200, {
          object: "list",
          data: (texts as string[]).map((t, index) => ({
            object: "embedding",
            index,
            embedding: e.embedOne(t).vector,
          })),
          model: body.model,
          usage: { prompt_tokens: fakeTokenCount(texts.join(" ")), total_tokens: fakeTokenCount(texts.join(" ")) },
        });
        return true;
      }
      if (request.path !== "/v1/chat/completions") return false;
      if (!Array.isArray(body.messages) || body.messages.length === 0 || typeof body.model !== "string") {
        json(400, { error: { message: "'messages' and 'model' are required", type: "invalid_request_error" } });
        return true;
      }
      const id = `chatcmpl-${randomUUID()}`;
      const base = { id, created: Math.floor(Date.now() / 1000), model: body.model };
      const inputTokens = fakeTokenCount(body.messages.map((m) => String(m.content ?? "")).join("\n"));
      const tool = body.tools?.[0]?.function;
      if (tool !== undefined) {
        const schema = restrictedJsonSchemaSchema.safeParse(tool.parameters);
        if (!schema.success || !tool.name) {
          json(400, { error: { message: "Invalid schema for function", type: "invalid_request_error" } });
          return true;
        }
        const args = JSON.stringify(localStructuredOutput(schema.data, lastUser(body)));
        json(200, {
          ...base,
          object: "chat.completion",
          choices: [
            {
              index: 0,
              finish_reason: "tool_calls",
              message: {
                role: "assistant",
                content: null,
                tool_calls: [
                  { id: `call_${randomUUID()}`, type: "function", function: { name: tool.name, arguments: args } },
                ],
              },
            },
          ],
          usage: { prompt_tokens: inputTokens, completion_tokens: 20, total_tokens: inputTokens + 20 },
        });
        return true;
      }
      const text =
        options.reply?.(body) ?? `Fake OpenAI answer to: ${lastUser(body).replace(/\s+/g, " ").trim().slice(-120)}`;
      const usage = {
        prompt_tokens: inputTokens,
        completion_tokens: fakeTokenCount(text),
        total_tokens: inputTokens + fakeTokenCount(text),
      };
      if (body.stream !== true) {
        json(200, {
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }],
          usage,
        });
        return true;
      }
      const stream = sse();
      const chunk = (choices: unknown[], extra: object = {}) =>
        stream.send(undefined, { ...base, object: "chat.completion.chunk", choices, ...extra });
      if (!chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }])) return true;
      for (const [i, delta] of textDeltas(text, deltaSize).entries()) {
        if (fault && i === (fault.afterDeltas ?? 1)) {
          stream.send(undefined, {
            error: { message: fault.message ?? "The server had an error", type: fault.type ?? "server_error" },
          });
          stream.end();
          return true;
        }
        if (!chunk([{ index: 0, delta: { content: delta }, finish_reason: null }])) return true;
      }
      chunk([{ index: 0, delta: {}, finish_reason: "stop" }]);
      if (body.stream_options?.include_usage) chunk([], { usage });
      stream.send(undefined, "[DONE]");
      stream.end();
      return true;
    },
  });
  return {
    baseURL: `${server.origin}/v1`,
    requests: server.requests,
    script: (...faults) => server.script(...faults),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}
