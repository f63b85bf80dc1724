import { describe, expect, it } from "vitest";
import { chunkDocument } from "./chunk-document.ts";

describe("chunkDocument", () => {
  it("flows PDF pages together and records the page range of each chunk", () => {
    const sections = [
      { text: "Alpha one. Alpha two. Alpha three.", page: 1 },
      { text: "Beta one. Beta two.", page: 2 },
      { text: "Gamma one.", page: 3 },
    ];
    const chunks = chunkDocument(sections, { chunkSize: 60, chunkOverlap: 0 });
    expect(chunks[0]).toEqual({
      content: "Alpha one. Alpha two. Alpha three.\n\nBeta one. Beta two.",
      metadata: { page: 1, page_end: 2 },
    });
    expect(chunks[1]).toEqual({ content: "Gamma one.", metadata: { page: 3 } });
  });

  it("starts a new chunk at each heading change and carries the heading path", () => {
    const chunks = chunkDocument(
      [
        { text: "Intro text.", headings: ["Guide"] },
        { text: "Use apt.", headings: ["Guide", "Install", "Linux"] },
        { text: "환불은 5일 걸립니다.", headings: ["환불"] },
      ],
      { chunkSize: 500, chunkOverlap: 50 },
    );
    expect(chunks).toEqual([
      { content: "Intro text.", metadata: { heading: "Guide", headings: ["Guide"] } },
      {
        content: "Use apt.",
        metadata: { heading: "Guide > Install > Linux", headings: ["Guide", "Install", "Linux"] },
      },
      { content: "환불은 5일 걸립니다.", metadata: { heading: "환불", headings: ["환불"] } },
    ]);
  });

  it("gives plain text chunks no location metadata", () => {
    expect(chunkDocument([{ text: "just text" }])).toEqual([{ content: "just text", metadata: {} }]);
    expect(chunkDocument([])).toEqual([]);
  });
});
