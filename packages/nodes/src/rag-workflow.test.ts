/**
 * Start → Knowledge → LLM → End on the real executor, with Bedrock providers (the real AWS SDK
 * against the fake Bedrock server) and with the offline local providers.
 */
import { type RunEvent, ServiceContainer, Services, WorkflowExecutorV2 } from "@portflow/engine";
import { ragWorkflow } from "@portflow/engine/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNodeRegistry } from "./create-node-registry.ts";
import { createProviders, type Providers } from "./create-providers.ts";
import { ingestDocument } from "./ingest/ingest-document.ts";
import { type FakeBedrock, startFakeBedrock } from "./testing/fake-bedrock.ts";
import { fakeBedrockProviderConfig } from "./testing/fake-bedrock-config.ts";
import { InMemoryVectorStore } from "./testing/in-memory-vector-store.ts";

const HANDBOOK = [
  "# Handbook",
  "## Refunds",
  "Refunds are processed within five business days after we receive the returned item.",
  "## Shipping",
  "Shipping is free for orders over fifty dollars.",
  "## 환불",
  "환불은 영업일 기준 5일 이내에 처리됩니다.",
].join("\n\n");

const workflow = ragWorkflow({
  topK: 2,
  knowledge: { score_threshold: 0.05 },
  systemPrompt: "Answer only from the context and cite sources as [n].",
  userPrompt: "Context:\n{{context}}\n\nQuestion: {{query}}",
  contextFrom: "documents",
  llm: { temperature: 0.2, max_tokens: 400 },
});

async function setUp(providers: Providers) {
  const store = new InMemoryVectorStore();
  await ingestDocument({
    botId: "bot-1",
    file: { filename: "handbook.md", bytes: new TextEncoder().encode(HANDBOOK) },
    embedder: providers.embedder,
    store,
  });
  const services = new ServiceContainer()
    .register(Services.Embedder, providers.embedder)
    .register(Services.ChatModel, providers.chatModel)
    .register(Services.VectorStore, store);
  return new WorkflowExecutorV2(createNodeRegistry(), { services });
}

describe("Start → Knowledge → LLM → End with Bedrock providers against the fake", () => {
  let fake: FakeBedrock;
  let providers: Providers;
  let executor: WorkflowExecutorV2;

  beforeAll(async () => {
    fake = await startFakeBedrock({
      reply: ({ body }) => {
        const prompt = body.messages?.at(-1)?.content[0]?.text ?? "";
        const cited = /\[1\] \(([^)]+)\) ([^\n]+)/.exec(prompt);
        return { text: cited ? `${cited[2]} [1]` : "I don't know." };
      },
      deltaSize: 6,
    });
    providers = createProviders(fakeBedrockProviderConfig(fake));
    executor = await setUp(providers);
  });
  afterAll(async () => {
    providers.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it("answers from retrieved context, streaming chunks, with sources, tokens and per-node records", async () => {
    const handle = executor.start(workflow, { query: "How long do refunds take?" }, { system: { bot_id: "bot-1" } });
    const events: RunEvent[] = [];
    for await (const event of handle.events()) events.push(event);
    const result = await handle.result;

    expect(result.status).toBe("succeeded");
    const answer = result.outputs.answer as string;
    expect(answer).toBe("Refunds are processed within five business days after we receive the returned item. [1]");
    const chunks = events.flatMap((e) => (e.type === "node.chunk" ? [e.chunk] : []));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join("")).toBe(answer);
    expect(events.every((e) => e.type !== "node.chunk" || e.nodeId === "answer")).toBe(true);

    const sources = result.outputs.sources as { metadata: { filename: string; heading: string } }[];
    expect(sources[0]?.metadata).toMatchObject({ filename: "handbook.md", heading: "Handbook > Refunds" });

    const llm = result.nodes.find((n) => n.nodeId === "answer");
    expect(llm?.tokens.input).toBeGreaterThan(0);
    expect(llm?.tokens.output).toBeGreaterThan(0);
    expect(llm?.processData.user_prompt).toContain("[1] (handbook.md § Handbook > Refunds) Refunds are processed");
    expect(result.nodes.find((n) => n.nodeId === "retrieve")?.processData).toMatchObject({
      query: "How long do refunds take?",
      result_count: sources.length,
    });
    expect(sources.length).toBeGreaterThanOrEqual(1);

    const ops = fake.requests.map((r) => r.operation);
    expect(ops).toEqual(["invoke", "converse-stream"]);
    expect(fake.requests[1]?.modelId).toBe("anthropic.claude-haiku-4-5-20251001-v1:0");
  });

  it("survives one throttle (the SDK retries)", async () => {
    fake.script({ kind: "throttle", times: 1, operation: "converse-stream" });
    const result = await executor.run(workflow, { query: "Is shipping free?" }, { system: { bot_id: "bot-1" } });
    expect(result.status).toBe("succeeded");
    expect(result.outputs.answer).toContain("Shipping is free");
    expect(fake.requests.map((r) => r.status)).toEqual([200, 429, 200]);
  });

  it("fails the run at the llm node when throttling persists past the SDK's 3 attempts", async () => {
    fake.script({ kind: "throttle", times: Number.POSITIVE_INFINITY, operation: "converse-stream" });
    const result = await executor.run(workflow, { query: "Is shipping free?" }, { system: { bot_id: "bot-1" } });
    expect(result.status).toBe("failed");
    expect(result.error?.nodeId).toBe("answer");
    expect(result.error?.message).toMatch(/ThrottlingException \(HTTP 429\).*after 3 attempts/);
    expect(fake.requests.filter((r) => r.operation === "converse-stream")).toHaveLength(3);
  });

  it("surfaces a 400 validation error with Bedrock's message as the node failure", async () => {
    fake.script({
      kind: "error",
      status: 400,
      type: "ValidationException",
      message: "The provided model identifier is invalid.",
      operation: "converse-stream",
    });
    const result = await executor.run(workflow, { query: "refunds?" }, { system: { bot_id: "bot-1" } });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("The provided model identifier is invalid.");
  });

  it("is cancelled mid-stream by the run's signal", async () => {
    fake.script({ kind: "slow-stream", delayMs: 30 });
    const controller = new AbortController();
    const handle = executor.start(
      workflow,
      { query: "How long do refunds take?" },
      {
        system: { bot_id: "bot-1" },
        signal: controller.signal,
      },
    );
    let chunks = 0;
    handle.on("node.chunk", () => {
      chunks++;
      if (chunks === 2) controller.abort();
    });
    const result = await handle.result;
    expect(result.status).toBe("cancelled");
    expect(chunks).toBe(2);
  });

  it("fails clearly without sys.bot_id", async () => {
    const result = await executor.run(workflow, { query: "refunds?" });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ nodeId: "retrieve", message: expect.stringMatching(/sys\.bot_id/) });
  });
});

describe("Start → Knowledge → LLM → End offline", () => {
  it("answers with the local providers, citing the source and saying it is the offline model", async () => {
    const providers = createProviders({ provider: "local" });
    const executor = await setUp(providers);
    const chunks: string[] = [];
    const handle = executor.start(workflow, { query: "환불은 얼마나 걸리나요?" }, { system: { bot_id: "bot-1" } });
    handle.on("node.chunk", (e) => chunks.push(e.chunk));
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    const answer = result.outputs.answer as string;
    expect(answer).toContain("환불은 영업일 기준 5일 이내에 처리됩니다. [");
    expect(answer).toMatch(/offline local model/i);
    expect(chunks.join("")).toBe(answer);
  });
});
