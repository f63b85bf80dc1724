import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../provider-error.ts";
import { type FakeAnthropic, startFakeAnthropic } from "../testing/fake-anthropic.ts";
import { AnthropicChatModel } from "./anthropic-chat-model.ts";
import { createAnthropicClient } from "./anthropic-client.ts";

const ANSWER = "환불은 영업일 기준 5일 이내에 처리됩니다 [1].";
let fake: FakeAnthropic;
let model: AnthropicChatModel;

beforeAll(async () => {
  fake = await startFakeAnthropic({ reply: () => ANSWER, deltaSize: 5 });
  model = new AnthropicChatModel({
    client: createAnthropicClient({ baseURL: fake.baseURL, apiKey: "sk-ant-test", maxRetries: 1 }),
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request = {
  system: "Answer from the context.",
  messages: [
    { role: "assistant" as const, content: "Welcome!" },
    { role: "user" as const, content: "hi" },
    { role: "user" as const, content: "How long do refunds take?" },
  ],
  maxTokens: 300,
  temperature: 0.2,
};

describe("AnthropicChatModel (real @anthropic-ai/sdk against the fake)", () => {
  it("sends system, alternating turns and max_tokens with the key, and maps text, usage and stop reason", async () => {
    const res = await model.chat(request);
    expect(res).toMatchObject({
      text: ANSWER,
      stopReason: "end_turn",
      model: "claude-haiku-4-5",
      provider: "anthropic",
    });
    expect(res.usage.input).toBeGreaterThan(0);
    const sent = fake.requests[0];
    expect(sent?.path).toBe("/v1/messages");
    expect(sent?.headers["x-api-key"] ?? sent?.headers.authorization).toMatch(/sk-ant-test/);
    expect(sent?.headers["anthropic-version"]).toBeDefined();
    expect(sent?.body).toEqual({
      model: "claude-haiku-4-5",
      system: "Answer from the context.",
      messages: [{ role: "user", content: "hi\n\nHow long do refunds take?" }],
      max_tokens: 300,
      temperature: 0.2,
      stream: false,
    });
  });

  it("streams text deltas over SSE in order, with usage from message_start and message_delta", async () => {
    const deltas: string[] = [];
    const res = await model.chat({ ...request, model: "claude-sonnet-4-5" }, { onText: (d) => deltas.push(d) });
    expect(fake.requests[0]?.body).toMatchObject({ model: "claude-sonnet-4-5", stream: true });
    expect(deltas.length).toBe(Math.ceil(Array.from(ANSWER).length / 5));
    expect(deltas.join("")).toBe(ANSWER);
    expect(res).toMatchObject({ text: ANSWER, stopReason: "end_turn", model: "claude-sonnet-4-5" });
    expect(res.usage.input).toBeGreaterThan(0);
    expect(res.usage.output).toBeGreaterThan(1);
  });

  it("answers structured output through a forced tool call", async () => {
    const res = await model.chat({
      messages: [{ role: "user", content: "Order id is A-1042, quantity: 3" }],
      structured: {
        name: "extract",
        description: "the order",
        schema: {
          type: "object",
          properties: { order_id: { type: "string", description: "the order number" }, quantity: { type: "integer" } },
          required: ["order_id"],
        },
      },
    });
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ name: "extract", description: "the order" }],
      tool_choice: { type: "tool", name: "extract" },
      max_tokens: 1024,
    });
    expect(res.structured).toEqual({ order_id: "A-1042", quantity: 3 });
    expect(res.stopReason).toBe("tool_use");
  });

  it("retries an overloaded 529 through the SDK, then reports a retryable ProviderError", async () => {
    fake.script({ kind: "error", status: 529, message: "Overloaded", times: Number.POSITIVE_INFINITY });
    const error = await model.chat(request, { onText: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: "anthropic", kind: "throttled", status: 529, retryable: true });
    expect((error as Error).message).toMatch(
      /^Anthropic overloaded_error \(HTTP 529\) from messages claude-haiku-4-5: .*Overloaded/,
    );
    expect(fake.requests).toHaveLength(2);
  });

  it("does not retry a 400 and says what the API said", async () => {
    fake.script({ kind: "error", status: 400, message: "temperature: range: 0..1" });
    const error = await model.chat(request).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "invalid_request",
      code: "invalid_request_error",
      status: 400,
      retryable: false,
    });
    expect((error as Error).message).toContain("temperature: range: 0..1");
    expect(fake.requests).toHaveLength(1);
  });

  it("turns an SSE error event into a retryable ProviderError after the deltas before it", async () => {
    fake.script({ kind: "mid-stream-error", afterDeltas: 2 });
    const deltas: string[] = [];
    const error = await model.chat(request, { onText: (d) => deltas.push(d) }).catch((e: unknown) => e);
    expect(deltas.join("")).toBe(Array.from(ANSWER).slice(0, 10).join(""));
    expect(error).toMatchObject({ kind: "throttled", code: "overloaded_error", retryable: true });
    expect((error as Error).message).toMatch(/\(mid-stream\)/);
  });

  it("refuses a request without a user message before calling the API", async () => {
    await expect(model.chat({ messages: [{ role: "assistant", content: "hi" }] })).rejects.toThrow(/user message/);
    expect(fake.requests).toHaveLength(0);
  });
});
