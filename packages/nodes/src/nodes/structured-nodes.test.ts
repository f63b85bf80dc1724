/**
 * question-classifier and parameter-extractor in real workflow runs, with the Bedrock chat model
 * (the real AWS SDK against the fake Bedrock, which answers forced tool calls) and the local one.
 */
import { type ChatModel, type RunResult, ServiceContainer, Services, WorkflowExecutorV2 } from "@portflow/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeRegistry } from "../create-node-registry.ts";
import { createProviders, type Providers } from "../create-providers.ts";
import { LocalChatModel } from "../local/local-chat-model.ts";
import { type FakeBedrock, startFakeBedrock } from "../testing/fake-bedrock.ts";
import { fakeBedrockProviderConfig } from "../testing/fake-bedrock-config.ts";

const CLASSES = [
  { id: "billing", name: "Billing, invoices, payments and refunds" },
  { id: "shipping", name: "Shipping, delivery and tracking of parcels" },
];

const classifierWorkflow = (policies: Record<string, unknown> = {}) => ({
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    {
      id: "route",
      type: "question-classifier",
      config: { classes: CLASSES, instruction: "The customer writes in English." },
      ...policies,
      variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
    },
    {
      id: "end_billing",
      type: "end",
      variable_mappings: [{ target_port: "billing", selector: ["route", "class_name"] }],
    },
    {
      id: "end_shipping",
      type: "end",
      variable_mappings: [{ target_port: "shipping", selector: ["route", "class_name"] }],
    },
  ],
  edges: [
    { source: "start", target: "route" },
    { source: "route", source_port: "billing", target: "end_billing" },
    { source: "route", source_port: "shipping", target: "end_shipping" },
  ],
});

const PARAMETERS = [
  { name: "order_id", type: "string", description: "the order number", required: true },
  { name: "quantity", type: "integer", description: "how many items" },
  { name: "delivery_date", type: "string", description: "the delivery date" },
  { name: "gift", type: "boolean", description: "whether it is a gift" },
  { name: "sizes", type: "array[number]", description: "every size mentioned" },
];

const extractorWorkflow = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    {
      id: "extract",
      type: "parameter-extractor",
      config: { parameters: PARAMETERS },
      variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
    },
    {
      id: "end",
      type: "end",
      variable_mappings: [...PARAMETERS.map((p) => p.name), "__is_success", "__reason"].map((port) => ({
        target_port: port,
        selector: ["extract", port],
      })),
    },
  ],
  edges: [
    { source: "start", target: "extract" },
    { source: "extract", target: "end" },
  ],
};

function executorWith(chatModel: ChatModel) {
  return new WorkflowExecutorV2(createNodeRegistry(), {
    services: new ServiceContainer().register(Services.ChatModel, chatModel),
  });
}

function record(result: RunResult, nodeId: string) {
  return result.nodes.find((n) => n.nodeId === nodeId);
}

const ORDER = "Order id is A-1042, quantity: 3, deliver on 2026-12-24, yes it is a gift, sizes 38 and 41.5";

function describeProvider(name: string, chatModel: () => ChatModel) {
  describe(`${name}`, () => {
    it("classifies the query and takes only the chosen class's branch", async () => {
      const executor = executorWith(chatModel());
      const shipping = await executor.run(classifierWorkflow(), {
        query: "Where is my parcel? The tracking shows no delivery.",
      });
      expect(shipping.status).toBe("succeeded");
      expect(shipping.outputs).toEqual({ shipping: CLASSES[1]?.name });
      expect(record(shipping, "end_billing")?.status).toBe("skipped");
      expect(record(shipping, "route")?.processData).toMatchObject({ class_id: "shipping" });
      expect(typeof record(shipping, "route")?.processData.reason).toBe("string");

      const billing = await executor.run(classifierWorkflow(), {
        query: "I was charged twice, I want a refund of the payment",
      });
      expect(billing.outputs).toEqual({ billing: CLASSES[0]?.name });
      expect(record(billing, "end_shipping")?.status).toBe("skipped");
    });

    it("extracts typed parameters, validated against the declaration", async () => {
      const result = await executorWith(chatModel()).run(extractorWorkflow, { query: ORDER });
      expect(result.status).toBe("succeeded");
      expect(result.outputs).toEqual({
        order_id: "A-1042",
        quantity: 3,
        delivery_date: "2026-12-24",
        gift: true,
        sizes: expect.arrayContaining([38, 41.5]),
        __is_success: true,
        __reason: "",
      });
    });

    it("reports a missing required parameter as __is_success false with the reason", async () => {
      const result = await executorWith(chatModel()).run(extractorWorkflow, { query: "just 2 please" });
      expect(result.status).toBe("succeeded");
      expect(result.outputs).toMatchObject({ order_id: null, __is_success: false });
      expect(result.outputs.__reason).toContain("order_id");
    });
  });
}

describe("structured nodes with Bedrock (real SDK, fake Bedrock)", () => {
  let fake: FakeBedrock;
  let providers: Providers;
  beforeAll(async () => {
    fake = await startFakeBedrock();
    providers = createProviders(fakeBedrockProviderConfig(fake));
  });
  afterAll(async () => {
    providers.close();
    await fake.close();
  });

  describeProvider("Bedrock", () => providers.chatModel);

  it("sends the schema as a forced tool (toolConfig + toolChoice)", async () => {
    fake.reset();
    await executorWith(providers.chatModel).run(classifierWorkflow(), { query: "refund please" });
    const body = fake.requests.at(-1)?.body as {
      toolConfig: {
        tools: {
          toolSpec: { name: string; inputSchema: { json: { properties: Record<string, { enum?: string[] }> } } };
        }[];
        toolChoice: unknown;
      };
    };
    expect(body.toolConfig.toolChoice).toEqual({ tool: { name: "classify" } });
    expect(body.toolConfig.tools[0]?.toolSpec.inputSchema.json.properties.class_id?.enum).toEqual([
      "billing",
      "shipping",
    ]);
  });

  it("fails the node when the model answers a class outside the list, and retries it", async () => {
    let calls = 0;
    const scripted = await startFakeBedrock({
      toolReply: () =>
        ++calls === 1 ? { class_id: "weather", reason: "made up" } : { class_id: "billing", reason: "refund" },
    });
    const scriptedProviders = createProviders(fakeBedrockProviderConfig(scripted));
    try {
      const executor = executorWith(scriptedProviders.chatModel);
      const failed = await executor.run(classifierWorkflow(), { query: "refund" });
      expect(failed.status).toBe("failed");
      expect(failed.error?.message).toContain(
        'the model answered "weather", which is not one of the classes "billing", "shipping"',
      );
      calls = 0;
      const retried = await executor.run(classifierWorkflow({ retry: { max_attempts: 2, initial_delay_ms: 1 } }), {
        query: "refund",
      });
      expect(retried.status).toBe("succeeded");
      expect(record(retried, "route")?.attempts).toBe(2);
    } finally {
      scriptedProviders.close();
      await scripted.close();
    }
  });
});

describe("structured nodes with the local provider", () => {
  describeProvider("local", () => new LocalChatModel());
});
