import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../provider-error.ts";
import { type FakeOpenAi, startFakeOpenAi } from "../testing/fake-openai.ts";
import { OpenAiChatModel } from "./openai-chat-model.ts";
import { createOpenAiClient } from "./openai-client.ts";
import { OpenAiEmbedder } from "./openai-embedder.ts";

const ANSWER = "Refunds are processed within five business days [1].";
let fake: FakeOpenAi;
let model: OpenAiChatModel;

beforeAll(async () => {
  fake = await startFakeOpenAi({ reply: () => ANSWER, deltaSize: 6 });
  model = new OpenAiChatModel({
    client: createOpenAiClient({ baseURL: fake.baseURL, apiKey: "sk-test", maxRetries: 1 }),
  });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const request = {
  system: "Answer from the context.",
  messages: [{ role: "user" as const, content: "How long do refunds take?" }],
  maxTokens: 200,
  temperature: 0.2,
  stopSequences: ["END"],
};

describe("OpenAiChatModel (real openai SDK against the fake)", () => {
  it("sends system, messages and options with the key, and maps text, usage and stop reason", async () => {
    const res = await model.chat(request);
    expect(res).toMatchObject({ text: ANSWER, stopReason: "end_turn", model: "gpt-4o-mini", provider: "openai" });
    expect(res.usage.input).toBeGreaterThan(0);
    expect(res.usage.output).toBeGreaterThan(0);
    const sent = fake.requests[0];
    expect(sent?.path).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer sk-test");
    expect(sent?.body).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "Answer from the context." },
        { role: "user", content: "How long do refunds take?" },
      ],
      max_tokens: 200,
      temperature: 0.2,
      stop: ["END"],
      stream: false,
    });
  });

  it("streams deltas over SSE in order, with usage from the final chunk", async () => {
    const deltas: string[] = [];
    const res = await model.chat({ ...request, model: "llama3.1" }, { onText: (d) => deltas.push(d) });
    expect(fake.requests[0]?.body).toMatchObject({
      model: "llama3.1",
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(deltas.length).toBe(Math.ceil(ANSWER.length / 6));
    expect(deltas.join("")).toBe(ANSWER);
    expect(res).toMatchObject({ text: ANSWER, model: "llama3.1", stopReason: "end_turn" });
    expect(res.usage.output).toBeGreaterThan(0);
  });

  it("answers structured output through a forced function call", async () => {
    const res = await model.chat({
      messages: [{ role: "user", content: "Order id is A-1042, quantity: 3" }],
      structured: {
        name: "extract",
        schema: {
          type: "object",
          properties: { order_id: { type: "string", description: "the order number" }, quantity: { type: "integer" } },
          required: ["order_id"],
        },
      },
    });
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ type: "function", function: { name: "extract" } }],
      tool_choice: { type: "function", function: { name: "extract" } },
    });
    expect(res.structured).toEqual({ order_id: "A-1042", quantity: 3 });
    expect(res.stopReason).toBe("tool_use");
  });

  it("retries a 429 once through the SDK, then reports a retryable ProviderError", async () => {
    fake.script({ kind: "error", status: 429, message: "Rate limit reached", times: Number.POSITIVE_INFINITY });
    const error = await model.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ provider: "openai", kind: "throttled", status: 429, retryable: true });
    expect((error as Error).message).toMatch(
      /^OpenAI rate_limit_exceeded \(HTTP 429\) from chat gpt-4o-mini: Rate limit reached/,
    );
    expect(fake.requests).toHaveLength(2);
  });

  it("does not retry a 400 and says what the API said", async () => {
    fake.script({ kind: "error", status: 400, message: "max_tokens is too large" });
    const error = await model.chat(request, { onText: () => {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "invalid_request", status: 400, retryable: false });
    expect((error as Error).message).toContain("max_tokens is too large");
    expect(fake.requests).toHaveLength(1);
  });

  it("turns an error in the stream into a retryable ProviderError after the deltas before it", async () => {
    fake.script({ kind: "mid-stream-error", afterDeltas: 2, message: "The server had an error" });
    const deltas: string[] = [];
    const error = await model.chat(request, { onText: (d) => deltas.push(d) }).catch((e: unknown) => e);
    expect(deltas).toEqual([ANSWER.slice(0, 6), ANSWER.slice(6, 12)]);
    expect(error).toMatchObject({ kind: "unavailable", retryable: true });
    expect((error as Error).message).toMatch(/\(mid-stream\).*The server had an error/);
  });

  it("cancels a hanging call when the signal aborts", async () => {
    fake.script({ kind: "hang" });
    const controller = new AbortController();
    const pending = model.chat(request, { signal: controller.signal }).catch((e: unknown) => e);
    await expect.poll(() => fake.requests.length).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ name: "AbortError" });
  });
});

describe("OpenAiEmbedder", () => {
  it("embeds in batches, in input order, asking for the configured dimensions", async () => {
    const embedder = new OpenAiEmbedder({
      client: createOpenAiClient({ baseURL: fake.baseURL }),
      dimensions: 256,
      batchSize: 2,
    });
    const { vectors, inputTokens } = await embedder.embed(["a b", "c d", "e f"]);
    expect(vectors.map((v) => v.length)).toEqual([256, 256, 256]);
    expect(fake.requests.map((r) => (r.body as { input: string[] }).input)).toEqual([["a b", "c d"], ["e f"]]);
    expect(fake.requests[0]?.body).toMatchObject({ model: "text-embedding-3-small", dimensions: 256 });
    expect(inputTokens).toBeGreaterThan(0);
    const again = await embedder.embed(["c d"]);
    expect(again.vectors[0]).toEqual(vectors[1]);
  });

  it("refuses vectors of another size than configured, naming both", async () => {
    const other = await startFakeOpenAi({ embeddingDimensions: 768 });
    try {
      const embedder = new OpenAiEmbedder({ client: createOpenAiClient({ baseURL: other.baseURL }), dimensions: 1024 });
      await expect(embedder.embed(["x"])).rejects.toThrow(/returned 768-dimensional vectors.*configured for 1024/);
    } finally {
      await other.close();
    }
  });
});
