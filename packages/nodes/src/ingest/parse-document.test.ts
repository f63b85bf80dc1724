import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makeDocx, makeEncryptedPdf, makeImageOnlyPdf, makePdf } from "../../test/document-fixtures.ts";
import { detectDocumentType } from "./detect-document-type.ts";
import { IngestError } from "./ingest-error.ts";
import { parseDocument } from "./parse-document.ts";

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  return (error as IngestError).code;
}

describe("parseDocument", () => {
  it("reads a multi-page PDF with page numbers, whatever the file is called", async () => {
    const bytes = await makePdf(["Page one talks about refunds.", "Page two talks about shipping.", "Page three."]);
    const parsed = await parseDocument(bytes, { filename: "misnamed.txt", mime: "text/plain" });
    expect(parsed.type).toBe("pdf");
    expect(parsed.mimeType).toBe("application/pdf");
    expect(parsed.pageCount).toBe(3);
    expect(parsed.sections).toEqual([
      { text: "Page one talks about refunds.", page: 1 },
      { text: "Page two talks about shipping.", page: 2 },
      { text: "Page three.", page: 3 },
    ]);
  });

  it("reads a DOCX into sections under its heading path", async () => {
    const bytes = await makeDocx([
      { heading: 1, text: "Install" },
      { text: "Run the installer & wait." },
      { heading: 2, text: "Linux" },
      { text: "Use apt <carefully>." },
      { heading: 1, text: "환불" },
      { text: "환불은 5일 걸립니다." },
    ]);
    const parsed = await parseDocument(bytes, { filename: "guide.bin" });
    expect(parsed.type).toBe("docx");
    expect(parsed.sections).toEqual([
      { text: "Run the installer & wait.", headings: ["Install"] },
      { text: "Use apt <carefully>.", headings: ["Install", "Linux"] },
      { text: "환불은 5일 걸립니다.", headings: ["환불"] },
    ]);
  });

  it("reads English and Korean Markdown under headings, ignoring # inside code fences", async () => {
    const en = await parseDocument(fixture("refunds-en.md"), { filename: "refunds-en.md" });
    expect(en.type).toBe("markdown");
    expect(en.sections.map((s) => s.headings)).toEqual([
      ["Customer handbook"],
      ["Customer handbook", "Refunds"],
      ["Customer handbook", "Shipping"],
    ]);
    expect(en.sections[2]?.text).toContain("# not a heading");
    const ko = await parseDocument(fixture("refunds-ko.md"), { filename: "안내.md" });
    expect(ko.sections[1]).toEqual({
      text: expect.stringContaining("환불은 반품 상품을 받은 뒤 영업일 기준 5일 이내에 처리됩니다."),
      headings: ["고객 안내서", "환불"],
    });
  });

  it("reads plain text (mixed Korean and English), and detects Markdown by content", async () => {
    const text = await parseDocument(fixture("notes-mixed.txt"), { filename: "notes-mixed.txt" });
    expect(text.type).toBe("text");
    expect(text.sections).toHaveLength(1);
    expect(text.sections[0]?.text).toContain("비밀번호는 계정 페이지에서 재설정할 수 있습니다.");
    expect(detectDocumentType(new TextEncoder().encode("# Title\n\nbody"), { filename: "upload" })).toBe("markdown");
    expect(detectDocumentType(new TextEncoder().encode("plain words"), { mime: "text/markdown" })).toBe("markdown");
  });

  it("reads a Markdown file named .txt as Markdown, with its headings", async () => {
    const bytes = new TextEncoder().encode(
      "# 장애 대응 절차\n\n당직자가 따를 절차입니다.\n\n## 초기 대응\n\n- 5분 안에 장애를 선언합니다.\n- 15분마다 갱신합니다.\n",
    );
    const parsed = await parseDocument(bytes, { filename: "incident-response.txt", mime: "text/plain" });
    expect(parsed.type).toBe("markdown");
    expect(parsed.mimeType).toBe("text/markdown");
    expect(parsed.sections[1]).toEqual({
      text: "- 5분 안에 장애를 선언합니다.\n- 15분마다 갱신합니다.",
      headings: ["장애 대응 절차", "초기 대응"],
    });
    // a declared Markdown type is honoured even for text that shows no Markdown syntax
    const declared = await parseDocument(new TextEncoder().encode("plain words"), {
      filename: "notes.txt",
      mime: "text/markdown",
    });
    expect(declared.type).toBe("markdown");
  });

  it("fails clearly on empty, encrypted, corrupt, text-less and binary files", async () => {
    expect(await codeOf(parseDocument(new Uint8Array()))).toBe("EMPTY_FILE");
    expect(await codeOf(parseDocument(await makeEncryptedPdf()))).toBe("ENCRYPTED");
    const pdf = await makePdf(["a", "b"]);
    expect(await codeOf(parseDocument(pdf.subarray(0, 400)))).toBe("CORRUPT");
    expect(await codeOf(parseDocument(await makeImageOnlyPdf()))).toBe("NO_TEXT");
    expect(await codeOf(parseDocument(new TextEncoder().encode("PK\u0003\u0004word/ broken zip")))).toBe("CORRUPT");
    expect(await codeOf(parseDocument(new TextEncoder().encode("PK\u0003\u0004xl/workbook.xml")))).toBe(
      "UNSUPPORTED_TYPE",
    );
    const ole = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]);
    expect(await codeOf(parseDocument(ole))).toBe("ENCRYPTED");
    expect(await codeOf(parseDocument(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe, 0xfd])))).toBe(
      "UNSUPPORTED_TYPE",
    );
    expect(await codeOf(parseDocument(new TextEncoder().encode("   \n\n  ")))).toBe("NO_TEXT");
  });

  it("enforces the page limit before extracting text", async () => {
    const bytes = await makePdf(["1", "2", "3"]);
    const error = await parseDocument(bytes, { maxPages: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "TOO_MANY_PAGES", message: "the PDF has 3 pages; the limit is 2" });
  });
});
