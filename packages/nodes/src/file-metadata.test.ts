import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { withFileMetadata } from "./file-metadata.ts";
import { toFileValue } from "./file-value.ts";

describe("withFileMetadata", () => {
  it("replaces file values at any depth by name, type, size and SHA-256, and keeps everything else", () => {
    const bytes = new TextEncoder().encode("hello");
    const file = toFileValue("a.txt", "text/plain", bytes);
    const meta = {
      filename: "a.txt",
      mime_type: "text/plain",
      size: 5,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    };
    const value = { query: "hi", files: [file], nested: { upload: file, n: 1 }, list: [1, "x", null] };
    expect(withFileMetadata(value)).toEqual({
      query: "hi",
      files: [meta],
      nested: { upload: meta, n: 1 },
      list: [1, "x", null],
    });
    // the original keeps its bytes
    expect(value.files[0]?.data_base64).toBe(file.data_base64);
  });

  it("returns the same object when nothing in it is a file", () => {
    const value = { query: "hi", documents: [{ content: "c", filename: "doc.md" }] };
    expect(withFileMetadata(value)).toBe(value);
  });
});
