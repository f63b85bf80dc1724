import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeBedrock, startFakeBedrock } from "../testing/fake-bedrock.ts";
import { fakeBedrockClientOptions } from "../testing/fake-bedrock-config.ts";
import { BedrockChatModel, DEFAULT_BEDROCK_CHAT_MODEL } from "./bedrock-chat-model.ts";
import { createBedrockClient } from "./bedrock-client.ts";
import { BedrockError } from "./bedrock-error.ts";

const ANSWER = "Refunds are processed within five business days [1]. Contact support for exceptions.";

let fake: FakeBedrock;
let client: ReturnType<typeof createBedrockClient>;
let model: BedrockChatModel;

beforeAll(async () => {
  fake = await startFakeBedrock({ reply: () => ({ text: ANSWER }), deltaSize: 7 });
  client = createBedrockClient(fakeBedrockClientOptions(fake));
  model = new BedrockChatModel({ client });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

const request = {
  system: "Answer from the context.",
  messages: [{ role: "user" as const, content: "How long do refunds take?" }],
  maxTokens: 200,
  temperature: 0.2,
  topP: 0.9,
  stopSequences: ["\n\nHuman:"],
};

describe("BedrockChatModel (real SDK against the fake)", () => {
  it("calls Converse with system, messages and inferenceConfig, and maps text, usage and stop reason", async () => {
    const res = await model.chat(request);
    expect(res).toEqual({
      text: ANSWER,
      usage: { input: expect.any(Number), output: expect.any(Number) },
      stopReason: "end_turn",
      model: DEFAULT_BEDROCK_CHAT_MODEL,
      provider: "bedrock",
    });
    expect(res.usage.input).toBeGreaterThan(0);
    const sent = fake.requests[0];
    expect(sent?.operation).toBe("converse");
    expect(sent?.path).toBe(`/model/${encodeURIComponent(DEFAULT_BEDROCK_CHAT_MODEL)}/converse`);
    expect(sent?.body).toEqual({
      system: [{ text: "Answer from the context." }],
      messages: [{ role: "user", content: [{ text: "How long do refunds take?" }] }],
      inferenceConfig: { maxTokens: 200, temperature: 0.2, topP: 0.9, stopSequences: ["\n\nHuman:"] },
    });
  });

  it("uses the request's model id when given, and shapes history into alternating turns", async () => {
    await model.chat({
      model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      messages: [
        { role: "assistant", content: "Welcome!" },
        { role: "user", content: "hi" },
        { role: "user", content: "refunds?" },
      ],
    });
    expect(fake.requests[0]?.modelId).toBe("anthropic.claude-sonnet-4-5-20250929-v1:0");
    expect(fake.requests[0]?.body).toMatchObject({
      messages: [{ role: "user", content: [{ text: "hi\n\nrefunds?" }] }],
    });
  });

  it("streams deltas in order over ConverseStream; they concatenate to the full text", async () => {
    const deltas: string[] = [];
    const res = await model.chat(request, { onText: (d) => deltas.push(d) });
    expect(fake.requests[0]?.operation).toBe("converse-stream");
    expect(deltas.length).toBe(Math.ceil(ANSWER.length / 7));
    expect(deltas[0]).toBe(ANSWER.slice(0, 7));
    expect(deltas.join("")).toBe(ANSWER);
    expect(res.text).toBe(ANSWER);
    expect(res.stopReason).toBe("end_turn");
    expect(res.usage.output).toBeGreaterThan(0);
  });

  it("retries a throttled call once and succeeds", async () => {
    fake.script({ kind: "throttle", times: 1 });
    const deltas: string[] = [];
    const res = await model.chat(request, { onText: (d) => deltas.push(d) });
    expect(res.text).toBe(ANSWER);
    expect(deltas.join("")).toBe(ANSWER);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("fails after the SDK's 3 attempts when throttling persists", async () => {
    fake.script({ kind: "throttle", times: Number.POSITIVE_INFINITY });
    const error = await model.chat(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect(error).toMatchObject({ code: "ThrottlingException", status: 429, attempts: 3, retryable: true });
    expect(((error as BedrockError).cause as { $metadata: { requestId?: string } }).$metadata.requestId).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect((error as Error).message).toMatch(/ThrottlingException \(HTTP 429\).*after 3 attempts: Too many requests/);
    expect(fake.requests).toHaveLength(3);
  });

  it("retries a 503 and does not retry a 400 validation error, which carries Bedrock's message", async () => {
    fake.script({ kind: "error", status: 503, type: "ServiceUnavailableException", message: "busy" });
    await expect(model.chat(request)).resolves.toMatchObject({ text: ANSWER });
    fake.reset();
    fake.script({
      kind: "error",
      status: 400,
      type: "ValidationException",
      message: "The model returned the following errors: temperature: range: 0..1",
    });
    const error = await model.chat(request, { onText: () => {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ValidationException", status: 400, retryable: false });
    expect((error as Error).message).toContain("temperature: range: 0..1");
    expect(fake.requests).toHaveLength(1);
  });

  it("turns a mid-stream exception frame into a BedrockError after the deltas before it", async () => {
    fake.script({
      kind: "mid-stream-exception",
      afterDeltas: 2,
      exceptionType: "throttlingException",
      message: "slow down",
    });
    const deltas: string[] = [];
    const error = await model.chat(request, { onText: (d) => deltas.push(d) }).catch((e: unknown) => e);
    expect(deltas).toEqual([ANSWER.slice(0, 7), ANSWER.slice(7, 14)]);
    expect(error).toBeInstanceOf(BedrockError);
    expect((error as Error).message).toMatch(/ThrottlingException from converse-stream .* \(mid-stream\): slow down/);
  });

  it("cancels mid-stream when the signal aborts, with an AbortError", async () => {
    fake.script({ kind: "slow-stream", delayMs: 40 });
    const controller = new AbortController();
    const deltas: string[] = [];
    const started = Date.now();
    const error = await model
      .chat(request, {
        signal: controller.signal,
        onText: (d) => {
          deltas.push(d);
          if (deltas.length === 2) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AbortError" });
    expect(deltas).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("rejects a malformed Converse response", async () => {
    fake.script({ kind: "malformed", operation: "converse" });
    await expect(model.chat(request)).rejects.toThrow(/unexpected response/);
  });

  it("refuses a request with no user message", async () => {
    await expect(model.chat({ messages: [{ role: "assistant", content: "hi" }] })).rejects.toThrow(/user message/);
    expect(fake.requests).toHaveLength(0);
  });
});
