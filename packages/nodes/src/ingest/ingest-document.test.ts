import { readFileSync } from "node:fs";
import type { CallOptions, Embedder, EmbeddingResult } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { makeDocx, makeEncryptedPdf, makePdf, pageText } from "../../test/document-fixtures.ts";
import { LocalEmbedder } from "../local/local-embedder.ts";
import { InMemoryDocumentRecords } from "../testing/in-memory-document-records.ts";
import { InMemoryVectorStore } from "../testing/in-memory-vector-store.ts";
import { type IngestProgress, ingestDocument, sha256Hex } from "./ingest-document.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const embedder = new LocalEmbedder({ dimensions: 256 });

/** Fails on the nth embed call. */
class FailingEmbedder implements Embedder {
  readonly model = "failing";
  readonly dimensions = 256;
  calls = 0;
  constructor(readonly failOnCall: number) {}
  async embed(texts: readonly string[], options?: CallOptions): Promise<EmbeddingResult> {
    this.calls++;
    if (this.calls === this.failOnCall) throw new Error("embedding service unavailable");
    return embedder.embed(texts, options);
  }
}

function setup() {
  return { store: new InMemoryVectorStore(), documents: new InMemoryDocumentRecords() };
}

describe("ingestDocument", () => {
  it("ingests a multi-page PDF: chunks with pages, embeddings, a ready record, progress", async () => {
    const { store, documents } = setup();
    const bytes = await makePdf([pageText(1, 150), pageText(2, 150), pageText(3, 150), pageText(4, 150)]);
    const progress: IngestProgress[] = [];
    const result = await ingestDocument({
      botId: "bot-1",
      file: { filename: "policies.pdf", bytes },
      embedder,
      store,
      documents,
      chunking: { chunkSize: 400, chunkOverlap: 50 },
      embedBatchSize: 4,
      onProgress: (p) => progress.push(p),
    });
    expect(result.duplicate).toBe(false);
    expect(result.pageCount).toBe(4);
    expect(result.chunkCount).toBeGreaterThan(4);
    expect(result.message).toBe(`policies.pdf: ${result.chunkCount} chunks from 4 pages stored`);
    expect(result.document).toMatchObject({
      status: "ready",
      chunkCount: result.chunkCount,
      mimeType: "application/pdf",
    });
    expect(store.count("bot-1")).toBe(result.chunkCount);
    expect(documents.list("bot-1")).toHaveLength(1);

    const stages = progress.map((p) => p.stage);
    expect(stages[0]).toBe("parsing");
    expect(stages.at(-1)).toBe("done");
    const embedding = progress.filter((p) => p.stage === "embedding");
    expect(embedding.at(-1)).toEqual({ stage: "embedding", done: result.chunkCount, total: result.chunkCount });
    expect(embedding.map((p) => p.done)).toEqual([...embedding.map((p) => p.done)].sort((a, b) => a - b));

    const [query] = (await embedder.embed(["Section 3 covers accounts"])).vectors;
    const hits = await store.search("bot-1", query as number[], { topK: 1 });
    expect(hits[0]?.content).toContain("Section 3 covers accounts");
    // the chunk opens with its overlap: the end of page 2
    expect(hits[0]?.metadata).toMatchObject({
      filename: "policies.pdf",
      page: 2,
      page_end: 3,
      mime_type: "application/pdf",
    });
  });

  it("is idempotent per bot by sha256: a re-upload is a no-op that says so; another bot gets its own copy", async () => {
    const { store, documents } = setup();
    const file = { filename: "refunds-ko.md", bytes: fixture("refunds-ko.md") };
    const first = await ingestDocument({ botId: "bot-1", file, embedder, store, documents });
    const again = await ingestDocument({
      botId: "bot-1",
      file: { ...file, filename: "renamed.md" },
      embedder,
      store,
      documents,
    });
    expect(again.duplicate).toBe(true);
    expect(again.document.id).toBe(first.document.id);
    expect(again.message).toMatch(/already ingested.*nothing changed/);
    expect(store.count("bot-1")).toBe(first.chunkCount);
    const other = await ingestDocument({ botId: "bot-2", file, embedder, store, documents });
    expect(other.duplicate).toBe(false);
    expect(documents.list()).toHaveLength(2);
  });

  it("ingests a DOCX with headings, and Korean Markdown, carrying headings into metadata", async () => {
    const { store, documents } = setup();
    const docx = await makeDocx([
      { heading: 1, text: "Install" },
      { text: "Run the installer and wait for it to finish." },
      { heading: 2, text: "Linux" },
      { text: "Use the apt package on Debian." },
    ]);
    await ingestDocument({ botId: "b", file: { filename: "guide.docx", bytes: docx }, embedder, store, documents });
    await ingestDocument({
      botId: "b",
      file: { filename: "안내.md", bytes: fixture("refunds-ko.md") },
      embedder,
      store,
      documents,
    });
    const [q1, q2] = (await embedder.embed(["apt package Debian", "환불 처리 기간"])).vectors as number[][];
    const linux = await store.search("b", q1 as number[], { topK: 1 });
    expect(linux[0]).toMatchObject({
      content: "Use the apt package on Debian.",
      metadata: { heading: "Install > Linux", filename: "guide.docx" },
    });
    const korean = await store.search("b", q2 as number[], { topK: 1 });
    expect(korean[0]?.metadata).toMatchObject({ heading: "고객 안내서 > 환불", filename: "안내.md" });
  });

  it("works without document records, with a stable id derived from bot and content", async () => {
    const store = new InMemoryVectorStore();
    const file = { filename: "notes.txt", bytes: fixture("notes-mixed.txt") };
    const a = await ingestDocument({ botId: "b", file, embedder, store });
    const b = await ingestDocument({ botId: "b", file, embedder, store });
    expect(a.document.id).toBe(b.document.id);
    expect(a.document.id).toMatch(/^doc_[0-9a-f]{24}$/);
    expect(store.count("b")).toBe(a.chunkCount);
  });

  it("fails clearly on empty, oversized, encrypted and too-long files, storing nothing", async () => {
    const { store, documents } = setup();
    const run = (bytes: Uint8Array, limits = {}) =>
      ingestDocument({ botId: "b", file: { filename: "f.pdf", bytes }, embedder, store, documents, limits });
    await expect(run(new Uint8Array())).rejects.toMatchObject({
      code: "EMPTY_FILE",
      message: "f.pdf: the file is empty",
    });
    await expect(run(new Uint8Array(2048).fill(65), { maxBytes: 1024 })).rejects.toMatchObject({
      code: "TOO_LARGE",
      message: "f.pdf: the file (2048 bytes) is larger than the upload limit of 1 KiB",
      limit: { name: "maxBytes", value: 1024, unit: "bytes" },
    });
    await expect(run(await makeEncryptedPdf())).rejects.toMatchObject({
      code: "ENCRYPTED",
      message: expect.stringMatching(/^f\.pdf: the PDF is password-protected/),
    });
    await expect(run(await makePdf(["a", "b", "c"]), { maxPages: 2 })).rejects.toMatchObject({
      code: "TOO_MANY_PAGES",
    });
    await expect(run(new TextEncoder().encode(pageText(1, 400)), { maxChunks: 1 })).rejects.toMatchObject({
      code: "TOO_MANY_CHUNKS",
    });
    expect(store.count()).toBe(0);
    expect(documents.list()).toHaveLength(0);
  });

  it("if embedding fails part-way, nothing is stored", async () => {
    const { store, documents } = setup();
    const failing = new FailingEmbedder(2);
    await expect(
      ingestDocument({
        botId: "b",
        file: { filename: "long.txt", bytes: new TextEncoder().encode(pageText(1, 600)) },
        embedder: failing,
        store,
        documents,
        chunking: { chunkSize: 300, chunkOverlap: 0 },
        embedBatchSize: 2,
      }),
    ).rejects.toThrow("embedding service unavailable");
    expect(failing.calls).toBe(2);
    expect(store.count()).toBe(0);
    expect(documents.list()).toHaveLength(0);
  });

  it("if the vector store fails part-way, the chunks written and the record are removed", async () => {
    const { store, documents } = setup();
    store.failNextUpsert = { afterChunks: 2 };
    await expect(
      ingestDocument({
        botId: "b",
        file: { filename: "long.txt", bytes: new TextEncoder().encode(pageText(1, 600)) },
        embedder,
        store,
        documents,
        chunking: { chunkSize: 300, chunkOverlap: 0 },
      }),
    ).rejects.toThrow("vector store is unavailable");
    expect(store.count()).toBe(0);
    expect(documents.list()).toHaveLength(0);
  });

  it("if marking the record ready fails, the chunks are removed too; a retry then succeeds", async () => {
    const { store, documents } = setup();
    const file = { filename: "n.txt", bytes: fixture("notes-mixed.txt") };
    documents.failNext = { method: "update" };
    await expect(ingestDocument({ botId: "b", file, embedder, store, documents })).rejects.toThrow(/update failed/);
    expect(store.count()).toBe(0);
    expect(documents.list()).toHaveLength(0);
    const retry = await ingestDocument({ botId: "b", file, embedder, store, documents });
    expect(retry.duplicate).toBe(false);
    expect(store.count("b")).toBe(retry.chunkCount);
  });

  it("two uploads of the same file at once store it once; the other one reports a duplicate", async () => {
    const { store, documents } = setup();
    const bytes = new TextEncoder().encode("# Racing\n\nThe same handbook, uploaded twice at the same moment.");
    const upload = () =>
      ingestDocument({ botId: "bot-1", file: { filename: "race.md", bytes }, embedder, store, documents });
    const results = await Promise.all([upload(), upload()]);
    expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
    expect(results[0]?.document.id).toBe(results[1]?.document.id);
    const stored = results.find((r) => !r.duplicate)!;
    expect(await store.search("bot-1", (await embedder.embed(["handbook"])).vectors[0]!, { topK: 10 })).toHaveLength(
      stored.chunkCount,
    );
  });

  it("replaces a record that never became ready instead of treating it as a duplicate", async () => {
    const { store, documents } = setup();
    const file = { filename: "n.txt", bytes: fixture("notes-mixed.txt") };
    await documents.create("b", {
      filename: "n.txt",
      mimeType: "text/plain",
      sha256: sha256Hex(file.bytes),
      bytes: 1,
      status: "failed",
    });
    const result = await ingestDocument({ botId: "b", file, embedder, store, documents });
    expect(result.duplicate).toBe(false);
    expect(documents.list("b")).toEqual([expect.objectContaining({ status: "ready" })]);
  });

  it("accepts a custom parser and chunker", async () => {
    const { store, documents } = setup();
    const result = await ingestDocument({
      botId: "b",
      file: { filename: "custom.xyz", bytes: new Uint8Array([1, 2, 3]) },
      embedder,
      store,
      documents,
      parser: async () => ({
        type: "text",
        mimeType: "text/plain",
        sections: [{ text: "one|two|three" }],
        characters: 13,
      }),
      chunker: (sections) => (sections[0]?.text ?? "").split("|").map((content) => ({ content, metadata: {} })),
    });
    expect(result.chunkCount).toBe(3);
    expect(store.count("b")).toBe(3);
  });

  it("stops when the signal aborts, storing nothing", async () => {
    const { store, documents } = setup();
    const controller = new AbortController();
    const result = ingestDocument({
      botId: "b",
      file: { filename: "long.txt", bytes: new TextEncoder().encode(pageText(1, 600)) },
      embedder,
      store,
      documents,
      chunking: { chunkSize: 200, chunkOverlap: 0 },
      embedBatchSize: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === "embedding" && p.done === 2) controller.abort();
      },
    });
    await expect(result).rejects.toMatchObject({ name: "AbortError" });
    expect(store.count()).toBe(0);
    expect(documents.list()).toHaveLength(0);
  });
});
