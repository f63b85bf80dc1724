import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChunkRecord, VectorStore } from "../services.ts";

/** Embedding length the contract's chunks and queries use: open the store under test with it. */
export const VECTOR_STORE_CONTRACT_DIMENSIONS = 8;

/** What {@link vectorStoreContract} needs from the implementation under test. */
export interface VectorStoreHarness {
  readonly store: VectorStore;
  /** A bot id the store accepts, new on every call (a real store may need a `bots` row). */
  newBot(): Promise<string>;
  close?(): Promise<void>;
}

/** A unit vector along `axis`, nudged towards `towards` by `mix`. */
function vec(axis: number, towards?: number, mix = 0): number[] {
  const v = new Array<number>(VECTOR_STORE_CONTRACT_DIMENSIONS).fill(0);
  v[axis % VECTOR_STORE_CONTRACT_DIMENSIONS] = 1;
  if (towards !== undefined) v[towards % VECTOR_STORE_CONTRACT_DIMENSIONS] = mix;
  return v;
}

function chunk(documentId: string, chunkIndex: number, metadata: Record<string, unknown>, embedding = vec(0)) {
  return { documentId, chunkIndex, content: `${documentId}#${chunkIndex}`, metadata, embedding } as ChunkRecord;
}

/**
 * The behaviour every `VectorStore` shares, as one vitest suite: the in-memory reference and
 * `PgVectorStore` (PGlite and a real PostgreSQL) run it, so a test double cannot drift from the
 * real store. Metadata filters follow jsonb containment (`metadata @> filter`).
 * Pass `undefined` to skip (a backend that is not available here).
 *
 * @example
 * vectorStoreContract("InMemoryVectorStore", async () => {
 *   let n = 0;
 *   return { store: new InMemoryVectorStore(), newBot: async () => `bot-${++n}` };
 * });
 */
export function vectorStoreContract(name: string, open: (() => Promise<VectorStoreHarness>) | undefined): void {
  describe.skipIf(open === undefined)(`VectorStore contract: ${name}`, () => {
    let harness: VectorStoreHarness;
    beforeAll(async () => {
      harness = await open!();
    });
    afterAll(async () => {
      await harness?.close?.();
    });

    /** A new bot holding `chunks`; returns a search over it that answers the chunks' contents. */
    async function botWith(chunks: readonly ChunkRecord[]) {
      const botId = await harness.newBot();
      await harness.store.upsert(botId, chunks);
      const contents = async (filter?: Record<string, unknown>, query = vec(0)) =>
        (await harness.store.search(botId, query, { topK: 100, ...(filter ? { filter } : {}) }))
          .map((h) => h.content)
          .sort();
      return { botId, contents };
    }

    it("ranks by cosine similarity, best first, at most topK, with the chunk's fields and score", async () => {
      const chunks = Array.from({ length: 6 }, (_, i) => chunk(i < 3 ? "doc-a" : "doc-b", i % 3, { n: i }, vec(i)));
      const { botId } = await botWith(chunks);
      const hits = await harness.store.search(botId, vec(0, 1, 0.5), { topK: 2 });
      expect(hits.map((h) => h.content)).toEqual(["doc-a#0", "doc-a#1"]);
      expect(hits[0]).toMatchObject({ documentId: "doc-a", chunkIndex: 0, metadata: { n: 0 } });
      expect(hits[0]?.score).toBeCloseTo(1 / Math.sqrt(1.25), 5);
      expect(hits[1]?.score).toBeCloseTo(0.5 / Math.sqrt(1.25), 5);
      const all = await harness.store.search(botId, vec(0, 1, 0.5), { topK: 10 });
      expect(all).toHaveLength(6);
      expect(all.map((h) => h.score)).toEqual([...all.map((h) => h.score)].sort((a, b) => b - a));
    });

    it("scoreThreshold keeps results at or above it and drops the rest", async () => {
      const { botId } = await botWith([
        chunk("d", 0, {}, vec(0)),
        chunk("d", 1, {}, vec(0, 1, 1)), // cos = 1/√2 ≈ 0.707
        chunk("d", 2, {}, vec(1)), // cos = 0
      ]);
      const hits = await harness.store.search(botId, vec(0), { topK: 10, scoreThreshold: 0.7 });
      expect(hits.map((h) => h.content)).toEqual(["d#0", "d#1"]);
      expect(await harness.store.search(botId, vec(0), { topK: 10, scoreThreshold: 0.71 })).toHaveLength(1);
      expect(await harness.store.search(botId, vec(5), { topK: 10, scoreThreshold: 0.5 })).toEqual([]);
    });

    it("without a filter, or with an empty one, finds chunks whatever their metadata", async () => {
      const { contents } = await botWith([chunk("d", 0, {}), chunk("d", 1, { lang: "en" }), chunk("d", 2, { x: [1] })]);
      expect(await contents()).toEqual(["d#0", "d#1", "d#2"]);
      expect(await contents({})).toEqual(["d#0", "d#1", "d#2"]);
    });

    it("filter: every key must be present with a contained value; extra chunk keys do not matter", async () => {
      const { contents } = await botWith([
        chunk("d", 0, { lang: "en", page: 1 }),
        chunk("d", 1, { lang: "en", page: 2 }),
        chunk("d", 2, { lang: "de", page: 1 }),
        chunk("d", 3, { page: 1 }),
      ]);
      expect(await contents({ lang: "en" })).toEqual(["d#0", "d#1"]);
      expect(await contents({ lang: "en", page: 1 })).toEqual(["d#0"]);
      expect(await contents({ lang: "fr" })).toEqual([]);
      expect(await contents({ missing: null })).toEqual([]);
    });

    it("filter: a scalar matches only an equal scalar of the same JSON type", async () => {
      const { contents } = await botWith([
        chunk("d", 0, { v: 1 }),
        chunk("d", 1, { v: "1" }),
        chunk("d", 2, { v: true }),
        chunk("d", 3, { v: "true" }),
        chunk("d", 4, { v: null }),
        chunk("d", 5, { v: 1.5 }),
        chunk("d", 6, { v: ["1"] }),
      ]);
      expect(await contents({ v: 1 })).toEqual(["d#0"]);
      expect(await contents({ v: "1" })).toEqual(["d#1"]);
      expect(await contents({ v: true })).toEqual(["d#2"]);
      expect(await contents({ v: "true" })).toEqual(["d#3"]);
      expect(await contents({ v: null })).toEqual(["d#4"]);
      expect(await contents({ v: 1.5 })).toEqual(["d#5"]);
      expect(await contents({ v: false })).toEqual([]);
    });

    it("filter: an array matches a chunk array holding each of its elements, in any order", async () => {
      const { contents } = await botWith([
        chunk("d", 0, { tags: ["a", "b"] }),
        chunk("d", 1, { tags: ["b", "c"] }),
        chunk("d", 2, { tags: ["a"] }),
        chunk("d", 3, { tags: "a" }),
        chunk("d", 4, { tags: [] }),
        chunk("d", 5, { tags: [1, "2"] }),
      ]);
      expect(await contents({ tags: ["a"] })).toEqual(["d#0", "d#2"]);
      expect(await contents({ tags: ["b", "a"] })).toEqual(["d#0"]);
      expect(await contents({ tags: ["a", "a"] })).toEqual(["d#0", "d#2"]);
      expect(await contents({ tags: ["a", "c"] })).toEqual([]);
      expect(await contents({ tags: [] })).toEqual(["d#0", "d#1", "d#2", "d#4", "d#5"]);
      // a bare scalar is not contained in an array below the top level, nor an array in a scalar
      expect(await contents({ tags: "b" })).toEqual([]);
      expect(await contents({ tags: "a" })).toEqual(["d#3"]);
      expect(await contents({ tags: [1] })).toEqual(["d#5"]);
      expect(await contents({ tags: ["1"] })).toEqual([]);
    });

    it("filter: nested objects and arrays of objects match recursively", async () => {
      const { contents } = await botWith([
        chunk("d", 0, { source: { kind: "pdf", page: 3, path: ["manual", "refunds"] } }),
        chunk("d", 1, { source: { kind: "pdf", page: 4 } }),
        chunk("d", 2, { source: { kind: "md" } }),
        chunk("d", 3, { authors: [{ name: "Ada", role: "editor" }, { name: "Bob" }] }),
        chunk("d", 4, { source: ["pdf"] }),
      ]);
      expect(await contents({ source: { kind: "pdf" } })).toEqual(["d#0", "d#1"]);
      expect(await contents({ source: { kind: "pdf", page: 4 } })).toEqual(["d#1"]);
      expect(await contents({ source: { path: ["refunds"] } })).toEqual(["d#0"]);
      expect(await contents({ source: {} })).toEqual(["d#0", "d#1", "d#2"]);
      expect(await contents({ source: { kind: "pdf", extra: 1 } })).toEqual([]);
      expect(await contents({ authors: [{ name: "Ada" }] })).toEqual(["d#3"]);
      expect(await contents({ authors: [{ name: "Bob" }, { role: "editor" }] })).toEqual(["d#3"]);
      expect(await contents({ authors: [{ name: "Ada", role: "author" }] })).toEqual([]);
      // deeper keys are not looked for at the top level
      expect(await contents({ kind: "pdf" })).toEqual([]);
    });

    it("isolates bots: search and deleteDocument never reach another bot's chunks", async () => {
      const a = await botWith([chunk("shared-doc", 0, { owner: "a" }, vec(2))]);
      const b = await botWith([chunk("shared-doc", 0, { owner: "b" }, vec(2))]);
      const hitsA = await harness.store.search(a.botId, vec(2), { topK: 10 });
      expect(hitsA.map((h) => h.metadata)).toEqual([{ owner: "a" }]);
      expect(await harness.store.search(await harness.newBot(), vec(2), { topK: 10 })).toEqual([]);
      expect(await harness.store.deleteDocument(await harness.newBot(), "shared-doc")).toBe(0);
      expect(await harness.store.deleteDocument(a.botId, "shared-doc")).toBe(1);
      expect((await harness.store.search(b.botId, vec(2), { topK: 10 })).map((h) => h.metadata)).toEqual([
        { owner: "b" },
      ]);
    });

    it("upsert replaces the chunk with the same document and chunk index", async () => {
      const { botId, contents } = await botWith([chunk("d", 0, { v: 1 }, vec(1)), chunk("d", 1, { v: 2 }, vec(2))]);
      await harness.store.upsert(botId, [{ ...chunk("d", 0, { v: 3 }, vec(7)), content: "replaced" }]);
      const [top] = await harness.store.search(botId, vec(7), { topK: 1 });
      expect(top).toMatchObject({ content: "replaced", metadata: { v: 3 } });
      expect(top?.score).toBeCloseTo(1, 5);
      expect(await contents()).toEqual(["d#1", "replaced"]);
    });

    it("deleteDocument removes that document's chunks only and says how many", async () => {
      const { botId, contents } = await botWith([chunk("a", 0, {}), chunk("a", 1, {}), chunk("b", 0, {})]);
      expect(await harness.store.deleteDocument(botId, "a")).toBe(2);
      expect(await harness.store.deleteDocument(botId, "a")).toBe(0);
      expect(await contents()).toEqual(["b#0"]);
    });

    it("refuses embeddings of the wrong length or with non-finite values with a RangeError", async () => {
      const { botId, contents } = await botWith([chunk("d", 0, {})]);
      await expect(harness.store.search(botId, [1, 0], { topK: 1 })).rejects.toThrow(RangeError);
      await expect(harness.store.upsert(botId, [chunk("d", 1, {}, [1, 0])])).rejects.toThrow(RangeError);
      const notFinite = [Number.NaN, ...vec(0).slice(1)];
      await expect(harness.store.upsert(botId, [chunk("d", 2, {}, notFinite)])).rejects.toThrow(RangeError);
      expect(await contents()).toEqual(["d#0"]);
    });

    /** A chunk with this text as content, for keyword search. */
    const textChunk = (documentId: string, chunkIndex: number, content: string, metadata = {}): ChunkRecord => ({
      ...chunk(documentId, chunkIndex, metadata),
      content,
    });
    const keywordContents = async (botId: string, query: string, topK = 10, filter?: Record<string, unknown>) =>
      (await harness.store.keywordSearch(botId, query, { topK, ...(filter ? { filter } : {}) })).map((h) => h.content);

    it("keywordSearch scores BM25 (k1 1.2, b 0.75) over the bot's chunks and returns only chunks holding a term", async () => {
      const botId = await harness.newBot();
      await harness.store.upsert(botId, [textChunk("d", 0, "alpha beta"), textChunk("d", 1, "gamma")]);
      const hits = await harness.store.keywordSearch(botId, "Alpha", { topK: 10 });
      expect(hits).toHaveLength(1);
      expect(hits[0]).toMatchObject({ documentId: "d", chunkIndex: 0, content: "alpha beta", metadata: {} });
      // n = 2, df = 1, tf = 1, length 2, mean length 1.5
      const expected = (Math.log(1 + 1.5 / 1.5) * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 2) / 1.5));
      expect(hits[0]?.score).toBeCloseTo(expected, 5);
    });

    it("keywordSearch ranks a rare term above a common one, and more occurrences above fewer", async () => {
      const botId = await harness.newBot();
      await harness.store.upsert(botId, [
        textChunk("d", 0, "deploy common words here"),
        textChunk("d", 1, "canary common words here"),
        textChunk("d", 2, "common filler words here"),
        textChunk("d", 3, "common filler words again"),
        textChunk("d", 4, "canary canary words here"),
      ]);
      // twice the rare term outweighs once rare + once common; the common term alone comes last
      expect(await keywordContents(botId, "canary common")).toEqual([
        "canary canary words here",
        "canary common words here",
        "deploy common words here",
        "common filler words here",
        "common filler words again",
      ]);
      expect(await keywordContents(botId, "canary", 1)).toEqual(["canary canary words here"]);
      const scores = (await harness.store.keywordSearch(botId, "canary common", { topK: 10 })).map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(scores.every((v) => v > 0)).toBe(true);
    });

    it("keywordSearch finds Korean by character bigrams and English by light stems", async () => {
      const botId = await harness.newBot();
      await harness.store.upsert(botId, [
        textChunk("ko", 0, "환불은 결제일로부터 5영업일 이내에 처리됩니다."),
        textChunk("ko", 1, "배포는 평일 오전에만 진행합니다."),
        textChunk("en", 0, "Refunds are paid within five business days."),
      ]);
      expect(await keywordContents(botId, "환불 기간")).toEqual(["환불은 결제일로부터 5영업일 이내에 처리됩니다."]);
      expect(await keywordContents(botId, "언제 배포하나요")).toEqual(["배포는 평일 오전에만 진행합니다."]);
      expect(await keywordContents(botId, "refund")).toEqual(["Refunds are paid within five business days."]);
      expect(await keywordContents(botId, "the ... ?")).toEqual([]);
      expect(await keywordContents(botId, "nothing matches")).toEqual([]);
    });

    it("keywordSearch keeps the metadata filter, topK and the bot scope", async () => {
      const a = await harness.newBot();
      const b = await harness.newBot();
      await harness.store.upsert(a, [
        textChunk("d", 0, "rollback steps", { lang: "en" }),
        textChunk("d", 1, "rollback rollback steps", { lang: "de" }),
      ]);
      await harness.store.upsert(b, [textChunk("d", 0, "rollback of bot b", { lang: "en" })]);
      expect(await keywordContents(a, "rollback")).toEqual(["rollback rollback steps", "rollback steps"]);
      expect(await keywordContents(a, "rollback", 1)).toEqual(["rollback rollback steps"]);
      expect(await keywordContents(a, "rollback", 10, { lang: "en" })).toEqual(["rollback steps"]);
      expect(await keywordContents(b, "rollback")).toEqual(["rollback of bot b"]);
      expect(await keywordContents(await harness.newBot(), "rollback")).toEqual([]);
    });

    it("keywordSearch follows upsert replacements and deleted documents", async () => {
      const botId = await harness.newBot();
      await harness.store.upsert(botId, [textChunk("d", 0, "old wording"), textChunk("e", 0, "other text")]);
      await harness.store.upsert(botId, [textChunk("d", 0, "new wording")]);
      expect(await keywordContents(botId, "old")).toEqual([]);
      expect(await keywordContents(botId, "new")).toEqual(["new wording"]);
      await harness.store.deleteDocument(botId, "d");
      expect(await keywordContents(botId, "wording")).toEqual([]);
      expect(await keywordContents(botId, "other")).toEqual(["other text"]);
    });

    it("an aborted signal rejects every call with an AbortError and changes nothing", async () => {
      const { botId, contents } = await botWith([chunk("d", 0, {})]);
      const signal = AbortSignal.abort();
      const abortError = { name: "AbortError" };
      await expect(harness.store.upsert(botId, [chunk("d", 1, {})], { signal })).rejects.toMatchObject(abortError);
      await expect(harness.store.search(botId, vec(0), { topK: 1, signal })).rejects.toMatchObject(abortError);
      await expect(harness.store.keywordSearch(botId, "d", { topK: 1, signal })).rejects.toMatchObject(abortError);
      await expect(harness.store.deleteDocument(botId, "d", { signal })).rejects.toMatchObject(abortError);
      expect(await contents()).toEqual(["d#0"]);
    });
  });
}
