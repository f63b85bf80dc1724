import { ServiceContainer, Services } from "@portflow/engine";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createProviders } from "../create-providers.ts";
import { LocalEmbedder } from "../local/local-embedder.ts";
import { KnowledgeNode } from "../nodes/knowledge-node.ts";
import { type FakeBedrock, startFakeBedrock } from "../testing/fake-bedrock.ts";
import { fakeBedrockClientOptions, fakeBedrockProviderConfig } from "../testing/fake-bedrock-config.ts";
import { InMemoryVectorStore } from "../testing/in-memory-vector-store.ts";
import { createTestNodeContext } from "../testing/test-node-context.ts";
import { BedrockError } from "./bedrock-error.ts";
import { BedrockReranker } from "./bedrock-reranker.ts";

let fake: FakeBedrock;
let reranker: BedrockReranker;

beforeAll(async () => {
  fake = await startFakeBedrock();
  reranker = new BedrockReranker(fakeBedrockClientOptions(fake));
});
afterAll(async () => {
  reranker.close();
  await fake.close();
});
beforeEach(() => fake.reset());

const documents = ["배포는 평일 오전에만 합니다.", "환불은 5영업일 안에 처리됩니다.", "환불 기간과 환불 방법 안내"];

describe("BedrockReranker (real agent-runtime SDK against the fake, HTTP/2)", () => {
  it("sends one Rerank call with the model's foundation-model ARN and returns the best topN, best first", async () => {
    const results = await reranker.rerank({ model: "amazon.rerank-v1:0", query: "환불 기간", documents, topN: 2 });
    expect(results.map((r) => r.index)).toEqual([2, 1]);
    expect(results[0]!.relevanceScore).toBeGreaterThan(results[1]!.relevanceScore);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ operation: "rerank", path: "/rerank", status: 200 });
    expect(fake.requests[0]?.body).toMatchObject({
      queries: [{ type: "TEXT", textQuery: { text: "환불 기간" } }],
      rerankingConfiguration: {
        type: "BEDROCK_RERANKING_MODEL",
        bedrockRerankingConfiguration: {
          numberOfResults: 2,
          modelConfiguration: { modelArn: "arn:aws:bedrock:us-east-1::foundation-model/amazon.rerank-v1:0" },
        },
      },
    });
  });

  it("an unknown model is a BedrockError ValidationException (HTTP 400), not retried", async () => {
    const failure = reranker.rerank({ model: "amazon.nope-v9:0", query: "q", documents, topN: 1 });
    await expect(failure).rejects.toBeInstanceOf(BedrockError);
    await expect(failure).rejects.toMatchObject({ code: "ValidationException", status: 400, retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it("throttling is retried and then answered", async () => {
    fake.script({ kind: "throttle", times: 2, operation: "rerank" });
    const results = await reranker.rerank({ model: "cohere.rerank-v3-5:0", query: "배포", documents, topN: 1 });
    expect(results.map((r) => r.index)).toEqual([0]);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("the knowledge node reranks its hybrid candidates, returns top_n with the model's scores and records the rerank places", async () => {
    const embedder = new LocalEmbedder();
    const store = new InMemoryVectorStore();
    const texts = [...documents, "배포 일정은 릴리스 노트를 보세요."];
    const { vectors } = await embedder.embed(texts);
    await store.upsert(
      "bot",
      texts.map((content, i) => ({ documentId: "d", chunkIndex: i, content, metadata: {}, embedding: vectors[i]! })),
    );
    const node = new KnowledgeNode();
    const result = await node.run(
      { query: "환불 기간" },
      createTestNodeContext({
        config: node.configSchema.parse({ rerank: { model: "amazon.rerank-v1:0", top_n: 2 } }),
        services: new ServiceContainer()
          .register(Services.Embedder, embedder)
          .register(Services.VectorStore, store)
          .register(Services.Reranker, reranker),
        system: { bot_id: "bot" },
      }),
    );
    expect(result.outputs.documents.map((d) => d.content)).toEqual([documents[2], documents[1]]);
    expect(result.outputs.documents.map((d) => d.score)).toEqual([1, 0.5]);
    const rankings = result.processData?.rankings as { chunk_index: number; rerank?: { rank: number } }[];
    expect(rankings.filter((r) => r.rerank).map((r) => [r.chunk_index, r.rerank?.rank])).toEqual(
      expect.arrayContaining([
        [2, 1],
        [1, 2],
      ]),
    );
    expect(result.processData).toMatchObject({ rerank: { model: "amazon.rerank-v1:0", top_n: 2 } });
    expect(typeof result.processData?.rerank_ms).toBe("number");
    const sent = (fake.requests[0]?.body as { sources?: unknown[] } | undefined)?.sources;
    expect(sent).toHaveLength(texts.length); // every candidate went to the model
  });

  it("createProviders on Bedrock comes with a reranker on the same endpoint; the offline pair has none", async () => {
    expect(createProviders().reranker).toBeUndefined();
    const providers = createProviders(fakeBedrockProviderConfig(fake));
    try {
      const results = await providers.reranker!.rerank({
        model: "amazon.rerank-v1:0",
        query: "배포",
        documents,
        topN: 1,
      });
      expect(results.map((r) => r.index)).toEqual([0]);
      expect(fake.requests.map((r) => r.operation)).toEqual(["rerank"]);
    } finally {
      providers.close();
    }
  });
});
