import { describe, expect, it } from "vitest";
import { uploadMimeType } from "./upload-type.ts";

describe("uploadMimeType", () => {
  it("accepts PDF, DOCX, Markdown and text by extension", () => {
    expect(uploadMimeType("a.PDF", "application/octet-stream")).toBe("application/pdf");
    expect(uploadMimeType("b.docx", undefined)).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    expect(uploadMimeType("c.md", "application/octet-stream")).toBe("text/markdown");
    expect(uploadMimeType("d.txt", undefined)).toBe("text/plain");
  });

  it("honours a declared Markdown type over a .txt extension, and only that", () => {
    expect(uploadMimeType("runbook.txt", "text/markdown; charset=utf-8")).toBe("text/markdown");
    expect(uploadMimeType("runbook.txt", "text/x-markdown")).toBe("text/markdown");
    expect(uploadMimeType("guide.pdf", "text/markdown")).toBe("application/pdf");
    expect(uploadMimeType("notes.md", "text/plain")).toBe("text/markdown");
  });

  it("falls back to the declared type when there is no known extension", () => {
    expect(uploadMimeType("notes", "text/plain; charset=utf-8")).toBe("text/plain");
  });

  it("refuses everything else", () => {
    expect(uploadMimeType("e.exe", "application/octet-stream")).toBeUndefined();
    expect(uploadMimeType("f.png", "image/png")).toBeUndefined();
    expect(uploadMimeType("g", undefined)).toBeUndefined();
  });
});
