/** The llm node's `response_format: json_schema` and `memory.window`, in real workflow runs. */
import {
  type ChatModel,
  type ChatOptions,
  type ChatRequest,
  type ChatResponse,
  ServiceContainer,
  Services,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeRegistry } from "../create-node-registry.ts";
import { createProviders, type Providers } from "../create-providers.ts";
import { LocalChatModel } from "../local/local-chat-model.ts";
import { type FakeBedrock, startFakeBedrock } from "../testing/fake-bedrock.ts";
import { fakeBedrockProviderConfig } from "../testing/fake-bedrock-config.ts";

const SCHEMA = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
};

function llmWorkflow(llmConfig: Record<string, unknown>) {
  return {
    schema_version: 2,
    nodes: [
      {
        id: "start",
        type: "start",
        config: {
          inputs: [
            { name: "query", type: "string", required: true },
            { name: "history", type: "messages", required: false, default: [] },
          ],
        },
      },
      {
        id: "answer",
        type: "llm",
        config: llmConfig,
        variable_mappings: [
          { target_port: "query", selector: ["start", "query"] },
          { target_port: "messages", selector: ["start", "history"] },
        ],
      },
      {
        id: "end",
        type: "end",
        variable_mappings: [
          { target_port: "text", selector: ["answer", "text"] },
          ...(llmConfig.response_format ? [{ target_port: "json", selector: ["answer", "json"] }] : []),
        ],
      },
    ],
    edges: [
      { source: "start", target: "answer" },
      { source: "answer", target: "end" },
    ],
  };
}

const structured = { user_prompt: "Input:\n{{query}}", response_format: { type: "json_schema", schema: SCHEMA } };
const QUERY = "The city is Oslo, and the population is 709000 people.";

function executorWith(chatModel: ChatModel) {
  return new WorkflowExecutorV2(createNodeRegistry(), {
    services: new ServiceContainer().register(Services.ChatModel, chatModel),
  });
}

describe("llm response_format json_schema", () => {
  let fake: FakeBedrock;
  let providers: Providers;
  let badAnswer = false;
  beforeAll(async () => {
    fake = await startFakeBedrock({ toolReply: () => (badAnswer ? { city: 5 } : undefined) });
    providers = createProviders(fakeBedrockProviderConfig(fake));
  });
  afterAll(async () => {
    providers.close();
    await fake.close();
  });

  it("returns the validated JSON from Bedrock through a forced tool call (real SDK)", async () => {
    const result = await executorWith(providers.chatModel).run(llmWorkflow(structured), { query: QUERY });
    expect(result.error).toBeUndefined();
    expect(result.outputs.json).toEqual({ city: "Oslo", population: 709000 });
    expect(JSON.parse(result.outputs.text as string)).toEqual({ city: "Oslo", population: 709000 });
    const body = fake.requests.at(-1)?.body as { toolConfig?: { toolChoice?: unknown } };
    expect(body.toolConfig?.toolChoice).toEqual({ tool: { name: "answer" } });
  });

  it("fails the node, naming the field, when the model's JSON does not match the schema", async () => {
    badAnswer = true;
    try {
      const result = await executorWith(providers.chatModel).run(llmWorkflow(structured), { query: QUERY });
      expect(result.status).toBe("failed");
      expect(result.error?.message).toContain("does not match response_format.schema: city:");
      expect(result.error?.message).toContain("population:");
    } finally {
      badAnswer = false;
    }
  });

  it("returns the same JSON from the local provider", async () => {
    const result = await executorWith(new LocalChatModel()).run(llmWorkflow(structured), { query: QUERY });
    expect(result.outputs.json).toEqual({ city: "Oslo", population: 709000 });
  });

  it("refuses a schema outside the supported subset at validation", async () => {
    const bad = llmWorkflow({
      response_format: { type: "json_schema", schema: { type: "object", properties: { a: { type: "null" } } } },
    });
    expect(() => executorWith(new LocalChatModel()).run(bad, { query: "x" })).toThrow(
      "nodes[1].config.response_format.schema",
    );
  });
});

/** Records what it was asked; answers "ok". */
class RecordingChatModel implements ChatModel {
  readonly model = "recording";
  readonly requests: ChatRequest[] = [];
  async chat(request: ChatRequest, _options?: ChatOptions): Promise<ChatResponse> {
    this.requests.push(request);
    return { text: "ok", usage: { input: 1, output: 1 }, stopReason: "end_turn", model: this.model };
  }
}

describe("llm memory window", () => {
  const history = [
    { role: "user", content: "turn 1" },
    { role: "assistant", content: "reply 1" },
    { role: "user", content: "turn 2" },
    { role: "assistant", content: "reply 2" },
    { role: "user", content: "turn 3" },
    { role: "assistant", content: "reply 3" },
  ];

  it("sends only the last N turns of the history, and all of it without a window", async () => {
    const model = new RecordingChatModel();
    const executor = executorWith(model);
    const windowed = await executor.run(llmWorkflow({ memory: { window: 2 } }), { query: "now", history });
    expect(windowed.status).toBe("succeeded");
    expect(model.requests[0]?.messages.map((m) => m.content)).toEqual([
      "turn 2",
      "reply 2",
      "turn 3",
      "reply 3",
      "now",
    ]);
    expect(windowed.nodes.find((n) => n.nodeId === "answer")?.processData).toMatchObject({
      memory_window: 2,
      history_messages: 4,
      history_messages_given: 6,
    });

    await executor.run(llmWorkflow({ memory: { window: 0 } }), { query: "now", history });
    expect(model.requests[1]?.messages.map((m) => m.content)).toEqual(["now"]);
    await executor.run(llmWorkflow({}), { query: "now", history });
    expect(model.requests[2]?.messages).toHaveLength(7);
  });
});
