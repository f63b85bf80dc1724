import {
  type ChatModel,
  type ChatOptions,
  type ChatRequest,
  type ChatResponse,
  MissingVariableError,
  ServiceContainer,
  Services,
} from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { LocalChatModel } from "../local/local-chat-model.ts";
import { createTestNodeContext } from "../testing/test-node-context.ts";
import { LlmNode } from "./llm-node.ts";

/** A chat model that records what it was asked and streams a fixed answer. */
class ScriptedChatModel implements ChatModel {
  readonly model = "scripted";
  readonly requests: ChatRequest[] = [];
  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    this.requests.push(request);
    for (const delta of ["Hel", "lo", " world"]) options.onText?.(delta);
    return {
      text: "Hello world",
      usage: { input: 12, output: 3 },
      stopReason: "end_turn",
      model: request.model ?? "m",
    };
  }
}

const node = new LlmNode();

describe("LlmNode", () => {
  it("has the V1-compatible config names and defaults, and dynamic inputs", () => {
    expect(node.configSchema.parse({})).toEqual({
      system_prompt: "",
      user_prompt: "{{query}}",
      temperature: 0.7,
      max_tokens: 1024,
    });
    const ports = node.ports();
    expect(ports.dynamicInputs).toBe(true);
    expect(ports.inputs.map((p) => [p.name, p.type, p.required])).toEqual([
      ["query", "string", false],
      ["context", "string", false],
      ["messages", "messages", false],
    ]);
    expect(ports.outputs.map((p) => p.name)).toEqual(["text", "usage", "stop_reason"]);
  });

  it("renders prompts, prepends history, maps options, streams chunks and reports usage", async () => {
    const model = new ScriptedChatModel();
    const ctx = createTestNodeContext({
      config: node.configSchema.parse({
        system_prompt: "You help {{sys.user_id}}. Tone: {{tone}}.",
        user_prompt: "{{context}}\n\nQ: {{query}}",
        model: "anthropic.claude-x",
        temperature: 0.2,
        max_tokens: 300,
        top_p: 0.9,
        stop: ["END"],
      }),
      services: new ServiceContainer().register(Services.ChatModel, model),
      system: { user_id: "u1" },
    });
    const history = [
      { role: "user", content: "hi" },
      { role: "assistant", content: "hello" },
    ];
    const result = await node.run(
      { query: "refunds?", context: "[1] (faq) Refunds take 5 days.", messages: history, tone: "brief" },
      ctx,
    );
    expect(model.requests[0]).toEqual({
      model: "anthropic.claude-x",
      system: "You help u1. Tone: brief.",
      messages: [...history, { role: "user", content: "[1] (faq) Refunds take 5 days.\n\nQ: refunds?" }],
      maxTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
    });
    expect(ctx.chunks).toEqual(["Hel", "lo", " world"]);
    expect(result.outputs).toEqual({
      text: "Hello world",
      usage: { input_tokens: 12, output_tokens: 3 },
      stop_reason: "end_turn",
    });
    expect(result.tokens).toEqual({ input: 12, output: 3 });
    expect(result.processData).toMatchObject({
      system_prompt: "You help u1. Tone: brief.",
      user_prompt: "[1] (faq) Refunds take 5 days.\n\nQ: refunds?",
      history_messages: 2,
      model: "anthropic.claude-x",
    });
  });

  it("renders a documents array given as context into numbered context text", async () => {
    const model = new ScriptedChatModel();
    const ctx = createTestNodeContext({
      config: node.configSchema.parse({ user_prompt: "{{context}}|{{query}}" }),
      services: new ServiceContainer().register(Services.ChatModel, model),
    });
    await node.run(
      {
        query: "q",
        context: [
          { content: "A.", score: 0.5, metadata: { filename: "a.pdf", page: 2 }, document_id: "d", chunk_index: 0 },
        ],
      },
      ctx,
    );
    expect(model.requests[0]?.messages.at(-1)?.content).toBe("[1] (a.pdf p.2) A.|q");
  });

  it("fails naming a template variable that has no value, and rejects malformed history", async () => {
    const services = new ServiceContainer().register(Services.ChatModel, new ScriptedChatModel());
    const ctx = createTestNodeContext({ config: node.configSchema.parse({}), services });
    await expect(node.run({}, ctx)).rejects.toThrow(MissingVariableError);
    await expect(node.run({}, ctx)).rejects.toThrow(/"query"/);
    await expect(node.run({ query: "q", messages: [{ role: "robot", content: 1 }] }, ctx)).rejects.toThrow(
      /input "messages"/,
    );
  });

  it("emits the whole answer as one chunk when the model does not stream", async () => {
    const quiet: ChatModel = {
      model: "quiet",
      chat: async () => ({
        text: "all at once",
        usage: { input: 1, output: 3 },
        stopReason: "end_turn",
        model: "quiet",
      }),
    };
    const ctx = createTestNodeContext({
      config: node.configSchema.parse({}),
      services: new ServiceContainer().register(Services.ChatModel, quiet),
    });
    await node.run({ query: "q" }, ctx);
    expect(ctx.chunks).toEqual(["all at once"]);
  });

  it("runs with the offline model end to end", async () => {
    const ctx = createTestNodeContext({
      config: node.configSchema.parse({ user_prompt: "{{context}}\n\nQuestion: {{query}}" }),
      services: new ServiceContainer().register(Services.ChatModel, new LocalChatModel()),
    });
    const result = await node.run(
      { query: "How long do refunds take?", context: "[1] (faq.pdf p.3) Refunds take five days." },
      ctx,
    );
    expect(result.outputs.text).toContain("Refunds take five days. [1]");
    expect(ctx.chunks.join("")).toBe(result.outputs.text);
  });
});
