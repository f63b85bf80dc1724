/**
 * The openai and anthropic providers and the fallback chain in real workflow runs: the real SDKs
 * (openai, @anthropic-ai/sdk, AWS) against fake servers on 127.0.0.1, through the llm,
 * parameter-extractor and question-classifier nodes.
 */
import {
  type RunEvent,
  type RunResult,
  ServiceContainer,
  Services,
  validateWorkflow,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { singleNodeWorkflow } from "@portflow/engine/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ChatModelCatalogService } from "./chat-model-catalog.ts";
import { createNodeRegistry } from "./create-node-registry.ts";
import { createProviders, type Providers } from "./create-providers.ts";
import type { ProviderConfig } from "./provider-config.ts";
import { type FakeAnthropic, startFakeAnthropic } from "./testing/fake-anthropic.ts";
import { type FakeBedrock, startFakeBedrock } from "./testing/fake-bedrock.ts";
import { fakeBedrockProviderConfig } from "./testing/fake-bedrock-config.ts";
import { type FakeOpenAi, startFakeOpenAi } from "./testing/fake-openai.ts";

const ANSWERS = {
  bedrock: "Bedrock says: refunds take five business days.",
  anthropic: "Anthropic says: refunds take five business days.",
  openai: "OpenAI says: refunds take five business days.",
};

let bedrock: FakeBedrock;
let anthropic: FakeAnthropic;
let openai: FakeOpenAi;
const opened: Providers[] = [];

beforeAll(async () => {
  [bedrock, anthropic, openai] = await Promise.all([
    startFakeBedrock({ reply: () => ({ text: ANSWERS.bedrock }), deltaSize: 6 }),
    startFakeAnthropic({ reply: () => ANSWERS.anthropic, deltaSize: 6 }),
    startFakeOpenAi({ reply: () => ANSWERS.openai, deltaSize: 6 }),
  ]);
});
afterAll(async () => {
  await Promise.all([bedrock.close(), anthropic.close(), openai.close()]);
});
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
  bedrock.reset();
  anthropic.reset();
  openai.reset();
});

/** Both API providers on their fakes (SDK retries once, fast: the fakes send retry-after-ms). */
const apis = {
  openai: { baseURL: "", apiKey: "sk-test", maxRetries: 1 },
  anthropic: { baseURL: "", apiKey: "sk-ant-test", maxRetries: 1 },
};
function config(overrides: Partial<ProviderConfig>): ProviderConfig {
  return {
    ...fakeBedrockProviderConfig(bedrock),
    openai: { ...apis.openai, baseURL: openai.baseURL },
    anthropic: { ...apis.anthropic, baseURL: anthropic.baseURL },
    embeddingProvider: "local",
    ...overrides,
  };
}

/** An executor wired as the server wires it: default chat model, catalog, validated providers. */
function executorFor(providerConfig: ProviderConfig) {
  const providers = createProviders(providerConfig);
  opened.push(providers);
  const registry = createNodeRegistry({ chatProviders: providers.catalog.providers });
  const services = new ServiceContainer()
    .register(Services.ChatModel, providers.chatModel)
    .register(ChatModelCatalogService, providers.catalog)
    .register(Services.Embedder, providers.embedder);
  return { executor: new WorkflowExecutorV2(registry, { services }), registry, providers };
}

const llmWorkflow = (config: Record<string, unknown> = {}) =>
  singleNodeWorkflow({
    inputs: [{ name: "query", type: "string", required: true }],
    node: { id: "answer", type: "llm", config: { user_prompt: "{{query}}", temperature: 0.2, ...config } },
    outputs: [["answer", "text"]],
  });

async function ask(
  executor: WorkflowExecutorV2,
  workflow: unknown = llmWorkflow(),
): Promise<{ result: RunResult; chunks: string[]; processData: Record<string, unknown> }> {
  const handle = executor.start(workflow, { query: "How long do refunds take?" });
  const chunks: string[] = [];
  for await (const event of handle.events() as AsyncIterable<RunEvent>) {
    if (event.type === "node.chunk") chunks.push(event.chunk);
  }
  const result = await handle.result;
  const node = result.nodes.find((n) => n.nodeId !== "start" && n.nodeId !== "end");
  return { result, chunks, processData: (node?.processData ?? {}) as Record<string, unknown> };
}

describe("each provider answers an llm node, streaming", () => {
  for (const provider of ["openai", "anthropic"] as const) {
    it(`${provider}: deltas arrive as node chunks and add up to the answer, with tokens and the provider recorded`, async () => {
      const { executor } = executorFor(config({ provider }));
      const { result, chunks, processData } = await ask(executor);
      expect(result.status).toBe("succeeded");
      expect(result.outputs.answer).toBe(ANSWERS[provider]);
      expect(chunks.length).toBe(Math.ceil(ANSWERS[provider].length / 6));
      expect(chunks.join("")).toBe(ANSWERS[provider]);
      expect(processData.provider).toBe(provider);
      expect(result.totals.tokens.output).toBeGreaterThan(0);
      const fake = provider === "openai" ? openai : anthropic;
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]?.body).toMatchObject({ stream: true });
      expect(bedrock.requests).toHaveLength(0);
    });
  }
});

describe("structured output", () => {
  for (const provider of ["openai", "anthropic"] as const) {
    it(`${provider}: llm response_format json_schema and parameter-extractor get validated JSON`, async () => {
      const { executor } = executorFor(config({ provider }));
      const schema = {
        type: "object",
        properties: { order_id: { type: "string", description: "the order number" }, quantity: { type: "integer" } },
        required: ["order_id"],
      };
      const llm = await ask(
        executor,
        singleNodeWorkflow({
          inputs: [{ name: "query", type: "string", required: true }],
          node: {
            id: "answer",
            type: "llm",
            config: {
              user_prompt: "Order id is A-1042, quantity: 3",
              response_format: { type: "json_schema", schema },
            },
          },
          outputs: [["json", "json"]],
        }),
      );
      expect(llm.result.outputs.json).toEqual({ order_id: "A-1042", quantity: 3 });
      expect(llm.processData.provider).toBe(provider);

      const extracted = await executor.run(
        singleNodeWorkflow({
          inputs: [{ name: "query", type: "string", required: true }],
          node: {
            id: "extract",
            type: "parameter-extractor",
            config: {
              model: { provider },
              parameters: [{ name: "order_id", type: "string", description: "the order number", required: true }],
            },
          },
          outputs: [
            ["order_id", "order_id"],
            ["ok", "__is_success"],
          ],
        }),
        { query: "Order id is A-1042" },
      );
      expect(extracted.outputs).toEqual({ order_id: "A-1042", ok: true });
      expect(extracted.nodes.find((n) => n.nodeId === "extract")?.processData).toMatchObject({ provider });
    });
  }
});

describe("the fallback chain bedrock → anthropic → openai", () => {
  // generous: a loaded machine must not turn a healthy provider into a timeout
  const chain = () => executorFor(config({ fallback: ["bedrock", "anthropic", "openai"], fallbackTimeoutMs: 10_000 }));
  // two providers: the second, the last, is never timed out, however slow the machine
  const shortChain = (first: "bedrock" | "anthropic") =>
    executorFor(
      config({
        fallback: first === "bedrock" ? ["bedrock", "anthropic"] : ["anthropic", "bedrock"],
        fallbackTimeoutMs: 1_000,
      }),
    );

  it("answers from bedrock when it is well, recording it", async () => {
    const { result, processData } = await ask(chain().executor);
    expect(result.outputs.answer).toBe(ANSWERS.bedrock);
    expect(processData.provider).toBe("bedrock");
    expect(processData.skipped_providers).toBeUndefined();
    expect(anthropic.requests).toHaveLength(0);
  });

  it("moves on after a 429 (once the SDK's own retries are spent), streaming the next provider's answer", async () => {
    bedrock.script({ kind: "throttle", times: Number.POSITIVE_INFINITY });
    const { result, chunks, processData } = await ask(chain().executor);
    expect(result.status).toBe("succeeded");
    expect(result.outputs.answer).toBe(ANSWERS.anthropic);
    expect(chunks.join("")).toBe(ANSWERS.anthropic);
    expect(processData.provider).toBe("anthropic");
    expect(processData.skipped_providers).toEqual([
      { provider: "bedrock", error: expect.stringMatching(/ThrottlingException \(HTTP 429\)/) },
    ]);
    expect(bedrock.requests).toHaveLength(3);
    expect(openai.requests).toHaveLength(0);
  });

  it("moves on after a 503 at bedrock and a 503 at anthropic, to openai", async () => {
    bedrock.script({
      kind: "error",
      status: 503,
      type: "ServiceUnavailableException",
      times: Number.POSITIVE_INFINITY,
    });
    anthropic.script({ kind: "error", status: 503, message: "upstream unavailable", times: Number.POSITIVE_INFINITY });
    const { result, processData } = await ask(chain().executor);
    expect(result.outputs.answer).toBe(ANSWERS.openai);
    expect(processData.provider).toBe("openai");
    expect((processData.skipped_providers as { provider: string }[]).map((s) => s.provider)).toEqual([
      "bedrock",
      "anthropic",
    ]);
    expect(anthropic.requests.map((r) => r.status)).toEqual([503, 503]);
  });

  it("moves on when a provider gives no first token within LLM_FALLBACK_TIMEOUT_MS", async () => {
    bedrock.script({ kind: "slow-stream", delayMs: 8_000 });
    const started = Date.now();
    const { result, processData } = await ask(shortChain("bedrock").executor);
    expect(result.outputs.answer).toBe(ANSWERS.anthropic);
    expect(processData.skipped_providers).toEqual([
      { provider: "bedrock", error: "bedrock gave no answer within 1000 ms" },
    ]);
    expect(Date.now() - started).toBeLessThan(7_000);
  });

  it("moves on when a non-streamed call hangs (parameter-extractor at anthropic first)", async () => {
    anthropic.script({ kind: "hang" });
    const { executor } = shortChain("anthropic");
    const result = await executor.run(
      singleNodeWorkflow({
        inputs: [{ name: "query", type: "string", required: true }],
        node: {
          id: "extract",
          type: "parameter-extractor",
          config: {
            model: { provider: "anthropic" },
            parameters: [{ name: "order_id", type: "string", description: "the order number", required: true }],
          },
        },
        outputs: [["order_id", "order_id"]],
      }),
      { query: "Order id is A-1042" },
    );
    expect(result.outputs).toEqual({ order_id: "A-1042" });
    expect(result.nodes.find((n) => n.nodeId === "extract")?.processData).toMatchObject({
      provider: "bedrock",
      skipped_providers: [{ provider: "anthropic", error: "anthropic gave no answer within 1000 ms" }],
    });
  });

  it("does not move on after a 400: the run fails with the provider's message and nobody else is asked", async () => {
    bedrock.script({ kind: "error", status: 400, type: "ValidationException", message: "temperature: range: 0..1" });
    const { result, processData } = await ask(chain().executor);
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/ValidationException \(HTTP 400\).*temperature: range: 0\.\.1/);
    expect(processData.provider).toBeUndefined();
    expect(bedrock.requests).toHaveLength(1);
    expect(anthropic.requests).toHaveLength(0);
    expect(openai.requests).toHaveLength(0);
  });

  it("does not move on once text was streamed: the listener already has the first provider's words", async () => {
    bedrock.script({ kind: "mid-stream-exception", afterDeltas: 2, exceptionType: "throttlingException" });
    const { result, chunks } = await ask(chain().executor);
    expect(result.status).toBe("failed");
    expect(chunks).toEqual([ANSWERS.bedrock.slice(0, 6), ANSWERS.bedrock.slice(6, 12)]);
    expect(anthropic.requests).toHaveLength(0);
  });

  it("does not move on when the run is cancelled: nobody else is asked", async () => {
    bedrock.script({ kind: "slow-stream", delayMs: 8_000 });
    const controller = new AbortController();
    const handle = chain().executor.start(llmWorkflow(), { query: "refunds?" }, { signal: controller.signal });
    await expect.poll(() => bedrock.requests.length).toBe(1);
    controller.abort();
    const result = await handle.result;
    expect(result.status).toBe("cancelled");
    expect(anthropic.requests).toHaveLength(0);
    expect(openai.requests).toHaveLength(0);
  });

  it("fails naming every provider when all of them are throttled", async () => {
    bedrock.script({ kind: "throttle", times: Number.POSITIVE_INFINITY });
    anthropic.script({ kind: "error", status: 429, times: Number.POSITIVE_INFINITY });
    openai.script({ kind: "error", status: 429, times: Number.POSITIVE_INFINITY });
    const { result } = await ask(chain().executor);
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(
      /every provider of the fallback chain failed: bedrock: .*; anthropic: .*; openai: /,
    );
  });
});

describe("model: {provider, name} on a node", () => {
  it("asks that provider with that model, then the rest of the chain", async () => {
    const { executor } = executorFor(config({ fallback: ["bedrock", "anthropic"], fallbackTimeoutMs: 10_000 }));
    const picked = await ask(executor, llmWorkflow({ model: { provider: "openai", name: "gpt-test" } }));
    expect(picked.result.outputs.answer).toBe(ANSWERS.openai);
    expect(openai.requests[0]?.body).toMatchObject({ model: "gpt-test" });
    expect(picked.processData).toMatchObject({ provider: "openai", model: "gpt-test" });

    openai.script({ kind: "error", status: 429, times: Number.POSITIVE_INFINITY });
    const moved = await ask(executor, llmWorkflow({ model: { provider: "openai", name: "gpt-test" } }));
    expect(moved.processData.provider).toBe("bedrock");
    // the node's model id is meant for openai: bedrock is asked for its own default
    expect(bedrock.requests[0]?.modelId).toBe("anthropic.claude-haiku-4-5-20251001-v1:0");
  });

  it("with fallback: false asks only that provider", async () => {
    const { executor } = executorFor(config({ fallback: ["bedrock", "anthropic"] }));
    anthropic.script({ kind: "error", status: 529, times: Number.POSITIVE_INFINITY });
    const { result } = await ask(executor, llmWorkflow({ model: { provider: "anthropic", fallback: false } }));
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/overloaded_error \(HTTP 529\)/);
    expect(bedrock.requests).toHaveLength(0);
  });

  it("a provider that is not configured fails validation, naming the configured ones", () => {
    const { registry } = executorFor({ provider: "local" });
    const validation = validateWorkflow(llmWorkflow({ model: { provider: "openai", name: "gpt-4o" } }), registry);
    expect(validation.ok).toBe(false);
    expect(validation.problems).toContainEqual(
      expect.objectContaining({
        path: "nodes[1].config.model.provider",
        message: expect.stringContaining('provider "openai" is not configured here (configured: local)'),
      }),
    );
    const unknown = validateWorkflow(llmWorkflow({ model: { provider: "mistral" } }), registry);
    expect(unknown.problems.map((p) => p.message).join("\n")).toMatch(/unknown provider "mistral"/);
  });

  it("without a registry that knows the providers, the node fails when it runs, naming the provider", async () => {
    const providers = createProviders({ provider: "local" });
    const services = new ServiceContainer()
      .register(Services.ChatModel, providers.chatModel)
      .register(ChatModelCatalogService, providers.catalog);
    const executor = new WorkflowExecutorV2(createNodeRegistry(), { services });
    const { result } = await ask(executor, llmWorkflow({ model: { provider: "anthropic" } }));
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(
      /llm node "answer": model.provider "anthropic" is not configured \(configured: local\)/,
    );
  });

  it("a bare model id still goes to the default provider", async () => {
    const { executor } = executorFor(config({ provider: "openai" }));
    const { processData } = await ask(executor, llmWorkflow({ model: "llama3.1:8b" }));
    expect(openai.requests[0]?.body).toMatchObject({ model: "llama3.1:8b" });
    expect(processData).toMatchObject({ provider: "openai", model: "llama3.1:8b" });
  });
});

describe("the embedder is never part of the chain", () => {
  it("one embedder serves every bot whatever the chat chain, and anthropic as primary needs another", async () => {
    const { providers } = executorFor(
      config({ provider: "bedrock", fallback: ["bedrock", "anthropic", "openai"], embeddingProvider: "bedrock" }),
    );
    expect(providers.embeddingProvider).toBe("bedrock");
    bedrock.script({ kind: "throttle", times: Number.POSITIVE_INFINITY, operation: "invoke" });
    // a throttled embedder fails: it does not switch to openai's embeddings of another space
    await expect(providers.embedder.embed(["x"])).rejects.toThrow(/ThrottlingException/);
    expect(openai.requests).toHaveLength(0);
    expect(() => createProviders({ provider: "anthropic", anthropic: { apiKey: "k" } })).toThrow(
      /anthropic has no embeddings API/,
    );
  });
});
