import { VECTOR_STORE_CONTRACT_DIMENSIONS, vectorStoreContract } from "@portflow/engine/testing";
import { describe, expect, it } from "vitest";
import { InMemoryVectorStore } from "./in-memory-vector-store.ts";

vectorStoreContract("InMemoryVectorStore", async () => {
  let bots = 0;
  return {
    store: new InMemoryVectorStore({ dimensions: VECTOR_STORE_CONTRACT_DIMENSIONS }),
    newBot: async () => `bot-${++bots}`,
  };
});

describe("InMemoryVectorStore", () => {
  it("without a dimension given, holds the length of the first chunk it stores", async () => {
    const store = new InMemoryVectorStore();
    await store.upsert("b", [{ documentId: "d", chunkIndex: 0, content: "x", metadata: {}, embedding: [1, 0, 0] }]);
    await expect(store.search("b", [1, 0], { topK: 1 })).rejects.toThrow(/2 dimensions, the store holds 3/);
    expect(await store.search("other", [0, 1, 0], { topK: 1 })).toEqual([]);
  });
});
