import { describe, expect, it } from "vitest";
import { retrievedChunks } from "./retrieved-chunks.ts";

describe("retrievedChunks", () => {
  it("reads a knowledge node's documents with score and a source label", () => {
    const chunks = retrievedChunks({
      context: "…",
      documents: [
        {
          content: "Refunds take 5 days.",
          score: 0.81,
          metadata: { filename: "faq.pdf", page: 3 },
          document_id: "d1",
          chunk_index: 0,
        },
        {
          content: "Install it.",
          score: 0.4,
          metadata: { filename: "guide.docx", heading: "Install" },
          document_id: "d2",
          chunk_index: 4,
        },
        { content: "No metadata.", score: 0.2, metadata: {}, document_id: "d3", chunk_index: 1 },
      ],
    });
    expect(chunks.map((c) => [c.source, c.score])).toEqual([
      ["faq.pdf p.3", 0.81],
      ["guide.docx § Install", 0.4],
      ["d3", 0.2],
    ]);
  });

  it("reads a chat answer's sources array, and nothing from outputs without chunks", () => {
    expect(retrievedChunks([{ content: "x", document_id: "d1", metadata: { filename: "a.md" } }])[0]?.source).toBe(
      "a.md",
    );
    expect(retrievedChunks({ text: "an llm answer" })).toEqual([]);
    expect(retrievedChunks([{ score: 1 }, "text"])).toEqual([]);
  });
});
