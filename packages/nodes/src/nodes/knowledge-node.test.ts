import { type Embedder, MissingServiceError, ServiceContainer, Services, type VectorStore } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { LocalEmbedder } from "../local/local-embedder.ts";
import { InMemoryVectorStore } from "../testing/in-memory-vector-store.ts";
import { createTestNodeContext } from "../testing/test-node-context.ts";
import { KnowledgeNode } from "./knowledge-node.ts";

const embedder = new LocalEmbedder();

async function seededStore(): Promise<InMemoryVectorStore> {
  const store = new InMemoryVectorStore();
  const texts = [
    {
      bot: "bot-a",
      doc: "d1",
      text: "Refunds are processed within five business days.",
      meta: { filename: "faq.pdf", page: 3 },
    },
    {
      bot: "bot-a",
      doc: "d1",
      text: "Shipping is free for orders over fifty dollars.",
      meta: { filename: "faq.pdf", page: 4 },
    },
    {
      bot: "bot-a",
      doc: "d2",
      text: "환불은 영업일 기준 5일 이내에 처리됩니다.",
      meta: { filename: "안내.md", heading: "환불" },
    },
    { bot: "bot-b", doc: "d9", text: "Refunds at bot B take a month.", meta: { filename: "other.txt" } },
  ];
  const { vectors } = await embedder.embed(texts.map((t) => t.text));
  for (const [i, t] of texts.entries()) {
    await store.upsert(t.bot, [
      { documentId: t.doc, chunkIndex: i, content: t.text, metadata: t.meta, embedding: vectors[i] as number[] },
    ]);
  }
  return store;
}

function services(store: InMemoryVectorStore): ServiceContainer {
  return new ServiceContainer().register(Services.Embedder, embedder).register(Services.VectorStore, store);
}

describe("KnowledgeNode", () => {
  const node = new KnowledgeNode();

  it("declares a required query input and documents/context outputs, with V1-compatible config names", () => {
    const config = node.configSchema.parse({});
    expect(config).toEqual({ top_k: 5, score_threshold: 0, search: "hybrid", candidates: 20 });
    const ports = node.ports();
    expect(ports.inputs).toEqual([expect.objectContaining({ name: "query", type: "string", required: true })]);
    expect(ports.outputs.map((p) => [p.name, p.type])).toEqual([
      ["documents", "documents"],
      ["context", "string"],
    ]);
  });

  it("retrieves within sys.bot_id only, ranked, with numbered citable context and timings", async () => {
    const ctx = createTestNodeContext({
      config: node.configSchema.parse({ top_k: 2 }),
      services: services(await seededStore()),
      system: { bot_id: "bot-a" },
    });
    const result = await node.run({ query: "how long do refunds take" }, ctx);
    const docs = result.outputs.documents;
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({
      content: "Refunds are processed within five business days.",
      document_id: "d1",
      chunk_index: 0,
      metadata: { filename: "faq.pdf", page: 3 },
    });
    expect(docs.every((d) => d.document_id !== "d9")).toBe(true);
    expect((docs[0]?.score ?? 0) >= (docs[1]?.score ?? 0)).toBe(true);
    expect(result.outputs.context.startsWith("[1] (faq.pdf p.3) Refunds are processed")).toBe(true);
    expect(result.outputs.context).toContain("\n\n[2] (");
    expect(result.processData).toMatchObject({ query: "how long do refunds take", result_count: 2, top_k: 2 });
    expect(typeof result.processData?.embed_ms).toBe("number");
    expect(typeof result.processData?.search_ms).toBe("number");
  });

  it("applies score_threshold and the metadata filter; no match is an empty result, not an error", async () => {
    const store = await seededStore();
    const filtered = await node.run(
      { query: "환불 기간" },
      createTestNodeContext({
        config: node.configSchema.parse({ filter: { filename: "안내.md" } }),
        services: services(store),
        system: { bot_id: "bot-a" },
      }),
    );
    expect(filtered.outputs.documents.map((d) => d.document_id)).toEqual(["d2"]);
    expect(filtered.outputs.context).toBe("[1] (안내.md § 환불) 환불은 영업일 기준 5일 이내에 처리됩니다.");

    const none = await node.run(
      { query: "quantum chromodynamics lecture" },
      createTestNodeContext({
        config: node.configSchema.parse({ score_threshold: 0.9 }),
        services: services(store),
        system: { bot_id: "bot-a" },
      }),
    );
    expect(none.outputs).toEqual({ documents: [], context: "" });
    expect(none.processData?.result_count).toBe(0);
  });

  it("fails clearly without sys.bot_id or without services", async () => {
    const config = node.configSchema.parse({});
    await expect(
      node.run({ query: "x" }, createTestNodeContext({ config, services: services(new InMemoryVectorStore()) })),
    ).rejects.toThrow(/needs sys\.bot_id/);
    await expect(
      node.run({ query: "x" }, createTestNodeContext({ config, nodeId: "retrieve", system: { bot_id: "b" } })),
    ).rejects.toThrow(MissingServiceError);
  });

  it("rejects invalid config", () => {
    expect(node.configSchema.safeParse({ top_k: 0 }).success).toBe(false);
    expect(node.configSchema.safeParse({ score_threshold: 2 }).success).toBe(false);
    expect(node.configSchema.safeParse({ search: "fuzzy" }).success).toBe(false);
    expect(node.configSchema.safeParse({ rerank: { top_n: 3 } }).success).toBe(false);
    expect(node.configSchema.safeParse({ fusion: { k: -1 } }).success).toBe(false);
  });

  it("search keyword finds chunks by their words (Korean bigrams, English stems) with no embedder at all", async () => {
    const store = await seededStore();
    const run = (query: string) =>
      node.run(
        { query },
        createTestNodeContext({
          config: node.configSchema.parse({ search: "keyword" }),
          services: new ServiceContainer().register(Services.VectorStore, store),
          system: { bot_id: "bot-a" },
        }),
      );
    const korean = await run("환불 처리");
    expect(korean.outputs.documents.map((d) => d.content)).toEqual(["환불은 영업일 기준 5일 이내에 처리됩니다."]);
    expect(korean.processData).toMatchObject({ search: "keyword", embed_ms: 0 });
    const english = await run("refund");
    expect(english.outputs.documents.map((d) => d.document_id)).toEqual(["d1"]);
    expect(english.outputs.documents[0]?.content).toMatch(/^Refunds are processed/);
  });

  it("hybrid fuses the vector and keyword rankings by RRF and records each candidate's places in process data", async () => {
    const store = await seededStore();
    const ranked = async (search: string, extra: Record<string, unknown> = {}) =>
      node.run(
        { query: "refunds 환불 기간" },
        createTestNodeContext({
          config: node.configSchema.parse({ search, top_k: 3, ...extra }),
          services: services(store),
          system: { bot_id: "bot-a" },
        }),
      );
    const ids = (r: Awaited<ReturnType<typeof ranked>>) =>
      r.outputs.documents.map((d) => `${d.document_id}#${d.chunk_index}`);
    const vector = ids(await ranked("vector"));
    const keyword = ids(await ranked("keyword"));
    const hybrid = await ranked("hybrid");
    const rankings = hybrid.processData?.rankings as {
      document_id: string;
      chunk_index: number;
      vector: { rank: number } | null;
      keyword: { rank: number } | null;
      fused: { rank: number; score: number };
      final_rank: number | null;
    }[];
    expect(rankings.length).toBeGreaterThanOrEqual(hybrid.outputs.documents.length);
    for (const r of rankings) {
      const id = `${r.document_id}#${r.chunk_index}`;
      // each place is the one the single-mode search gave (within its top 3)
      if (vector.includes(id)) expect(r.vector?.rank).toBe(vector.indexOf(id) + 1);
      if (keyword.includes(id)) expect(r.keyword?.rank).toBe(keyword.indexOf(id) + 1);
      const expected = (r.vector ? 1 / (60 + r.vector.rank) : 0) + (r.keyword ? 1 / (60 + r.keyword.rank) : 0);
      expect(r.fused.score).toBeCloseTo(expected, 5);
    }
    expect(ids(hybrid)).toEqual(
      rankings.filter((r) => r.final_rank !== null).map((r) => `${r.document_id}#${r.chunk_index}`),
    );
    expect(hybrid.outputs.documents.map((d) => d.score)).toEqual(
      rankings.filter((r) => r.final_rank !== null).map((r) => expect.closeTo(r.fused.score, 5)),
    );
    expect(hybrid.processData).toMatchObject({
      search: "hybrid",
      fusion: { k: 60, vector_weight: 1, keyword_weight: 1 },
    });
    // a chunk both searches rank is first
    const both = rankings.filter((r) => r.vector && r.keyword);
    expect(both.length).toBeGreaterThan(0);
    expect(rankings[0]?.vector).not.toBeNull();
    expect(rankings[0]?.keyword).not.toBeNull();
    // the weights are taken from the config
    const tilted = await ranked("hybrid", { fusion: { keyword_weight: 5 } });
    expect(ids(tilted)[0]).toBe(keyword[0]);
  });

  it("rerank without a rerank provider fails the node naming the missing service", async () => {
    await expect(
      node.run(
        { query: "refunds" },
        createTestNodeContext({
          config: node.configSchema.parse({ rerank: { model: "amazon.rerank-v1:0" } }),
          services: services(await seededStore()),
          system: { bot_id: "bot-a" },
        }),
      ),
    ).rejects.toThrow(/service "Reranker" is not registered/);
  });

  it("passes the run's signal to the embedder and the vector store; an abort during the search stops the node", async () => {
    const store = await seededStore();
    const controller = new AbortController();
    const received: { embed?: AbortSignal; search?: AbortSignal } = {};
    const recordingEmbedder: Embedder = {
      model: embedder.model,
      dimensions: embedder.dimensions,
      embed: (texts, options) => {
        received.embed = options?.signal;
        return embedder.embed(texts, options);
      },
    };
    const abortingStore: VectorStore = {
      upsert: (botId, chunks, options) => store.upsert(botId, chunks, options),
      deleteDocument: (botId, documentId, options) => store.deleteDocument(botId, documentId, options),
      keywordSearch: (botId, query, options) => store.keywordSearch(botId, query, options),
      search: (botId, embedding, options) => {
        received.search = options.signal;
        controller.abort(); // the run is cancelled while the search is under way
        return store.search(botId, embedding, options);
      },
    };
    const ctx = createTestNodeContext({
      config: node.configSchema.parse({}),
      services: new ServiceContainer()
        .register(Services.Embedder, recordingEmbedder)
        .register(Services.VectorStore, abortingStore),
      system: { bot_id: "bot-a" },
      signal: controller.signal,
    });
    await expect(node.run({ query: "refunds" }, ctx)).rejects.toMatchObject({ name: "AbortError" });
    expect(received.embed?.aborted).toBe(true);
    expect(received.search?.aborted).toBe(true);
  });
});
