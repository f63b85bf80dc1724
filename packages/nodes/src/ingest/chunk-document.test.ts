import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chunkDocument } from "./chunk-document.ts";
import { parseDocument } from "./parse-document.ts";

const evalDocument = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../../examples/retrieval-eval/documents/${name}`, import.meta.url)));

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

  it("strips control characters PDFs leak, keeping line breaks and tabs", () => {
    const [chunk] = chunkDocument([{ text: "Re\u0002\u0003funds\u0004 are\tpaid\fin 5 days.\u007f", page: 1 }]);
    expect(chunk?.content).toBe("Refunds are\tpaid\nin 5 days.");
  });

  it("makes every consecutive pair of a real document's chunks share about chunkOverlap characters", async () => {
    const parsed = await parseDocument(evalDocument("access-management.txt"), { filename: "access-management.txt" });
    const chunks = chunkDocument(parsed.sections, { chunkSize: 200, chunkOverlap: 40 });
    expect(chunks.length).toBeGreaterThan(3);
    const longestWord = Math.max(...parsed.sections.flatMap((s) => s.text.split(/\s+/).map((w) => w.length)));
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]?.content ?? "";
      const next = chunks[i]?.content ?? "";
      expect(next.length).toBeLessThanOrEqual(200);
      // the longest suffix of one chunk that opens the next
      let shared = 0;
      for (let n = Math.min(prev.length, next.length); n > 0; n--) {
        if (next.startsWith(prev.slice(-n))) {
          shared = n;
          break;
        }
      }
      expect(shared).toBeLessThanOrEqual(40);
      expect(shared).toBeGreaterThanOrEqual(40 - longestWord - 1);
    }
  });

  const yaml =
    "```yaml\nservice: payments-api\nenv:\n  WORKERS: 2\n\nSecrets:\n  DATABASE_URL: vault://payments/db\n```";

  it("keeps a fenced code block that fits in one chunk whole, fences included", () => {
    const text = `${"Deploys need two approvals and a ticket. ".repeat(4)}\n\nThe production settings are listed below; change them only with a ticket that says why.\n\n${yaml}\n\nWORKERS matches the CPU cores.`;
    const chunks = chunkDocument([{ text, headings: ["Deploy"] }], { chunkSize: 160, chunkOverlap: 30 });
    expect(chunks.length).toBeGreaterThan(1);
    const withCode = chunks.filter((c) => c.content.includes("WORKERS: 2") || c.content.includes("Secrets:"));
    expect(withCode.length).toBeGreaterThan(0);
    for (const c of withCode) expect(c.content).toContain(yaml);
  });

  it("fences each part of a code block too long for one chunk again, language included", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `  KEY_${i}: value-${i}`).join("\n");
    const text = `Settings follow.\n\n\`\`\`yaml\n${lines}\n\`\`\`\n\nThat is all.`;
    const chunks = chunkDocument([{ text }], { chunkSize: 200, chunkOverlap: 0 });
    const parts = chunks.filter((c) => c.content.includes("KEY_"));
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      const code = part.content.slice(part.content.indexOf("```"));
      expect(code.startsWith("```yaml\n")).toBe(true);
      expect(code.trimEnd().endsWith("\n```")).toBe(true);
    }
    // every line of the block is in some part
    for (let i = 0; i < 30; i++) expect(parts.some((p) => p.content.includes(`KEY_${i}: value-${i}`))).toBe(true);
  });
});
