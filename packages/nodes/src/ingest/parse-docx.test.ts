import { describe, expect, it } from "vitest";
import { makeDocx } from "../../test/document-fixtures.ts";
import { parseDocument } from "./parse-document.ts";
import { parseDocx } from "./parse-docx.ts";
import { WorkerDocumentParser } from "./worker-document-parser.ts";

const faq = () =>
  makeDocx([
    { heading: 1, text: "FAQ" },
    {
      table: [
        [["번호"], ["안내"]],
        [["Q7"], ["공지는 포털에 게시", "별도 신청 불필요"]],
        [["Q8"], ["요금은 월말에 정산"]],
      ],
    },
    { heading: 2, text: "Steps" },
    { bullet: 0, text: "Prepare the release" },
    { bullet: 1, text: "tag the commit" },
    { bullet: 1, text: "write the notes" },
    { bullet: 0, text: "Deploy" },
  ]);

describe("parseDocx", () => {
  it("keeps a table as a Markdown table with its header row, and a cell's paragraphs apart", async () => {
    const { sections } = await parseDocx(await faq());
    expect(sections[0]).toEqual({
      text: [
        "| 번호 | 안내 |",
        "| --- | --- |",
        "| Q7 | 공지는 포털에 게시<br>별도 신청 불필요 |",
        "| Q8 | 요금은 월말에 정산 |",
      ].join("\n"),
      headings: ["FAQ"],
    });
  });

  it("keeps nested list items under their parent item", async () => {
    const { sections } = await parseDocx(await faq());
    expect(sections[1]).toEqual({
      text: ["- Prepare the release", "  - tag the commit", "  - write the notes", "- Deploy"].join("\n"),
      headings: ["FAQ", "Steps"],
    });
  });

  it("reads a document that is only a heading as that heading", async () => {
    const parsed = await parseDocument(await makeDocx([{ heading: 1, text: "Release checklist 2026" }]));
    expect(parsed.sections).toEqual([{ text: "Release checklist 2026" }]);
  });

  it("gives the same Markdown through the worker-thread parser", { timeout: 60_000 }, async () => {
    const bytes = await faq();
    const parsed = await new WorkerDocumentParser().parse(
      { filename: "faq.docx", bytes },
      { maxPages: 100, maxUncompressedBytes: 64 * 1024 * 1024, maxDocxXmlBytes: 32 * 1024 * 1024 },
    );
    expect(parsed.sections).toEqual((await parseDocx(bytes)).sections);
    expect(parsed.sections[0]?.text).toContain("| Q7 | 공지는 포털에 게시<br>별도 신청 불필요 |");
  });
});
