import { describe, expect, it } from "vitest";
import { makeDocx, makePdf } from "../../test/document-fixtures.ts";
import { makeDocxBomb, makePdfBomb } from "../testing/compression-bombs.ts";
import { DEFAULT_DOCX_ARCHIVE_LIMITS } from "./check-docx-archive.ts";
import type { DocumentParserOptions } from "./ingest-document.ts";
import { IngestError } from "./ingest-error.ts";
import { parseDocument } from "./parse-document.ts";
import { WorkerDocumentParser } from "./worker-document-parser.ts";

const MiB = 1024 * 1024;
const LIMITS: DocumentParserOptions = { maxPages: 500, ...DEFAULT_DOCX_ARCHIVE_LIMITS };
const encode = (text: string) => new TextEncoder().encode(text);

describe("WorkerDocumentParser", () => {
  it("parses PDF, DOCX, Markdown and text in a worker to what parseDocument gives in this thread", async () => {
    const parser = new WorkerDocumentParser();
    const files = [
      { filename: "a.pdf", bytes: await makePdf(["Page one on refunds.", "Page two on shipping."]) },
      { filename: "b.docx", bytes: await makeDocx([{ heading: 1, text: "환불" }, { text: "환불은 5일 걸립니다." }]) },
      { filename: "c.md", bytes: encode("# Refunds\n\nFive days.\n\n# Shipping\n\nFrom Lyon.") },
      { filename: "d.txt", bytes: encode("Plain notes.") },
    ];
    for (const file of files) {
      const inWorker = await parser.parse(file, LIMITS);
      expect(inWorker).toEqual(await parseDocument(file.bytes, { filename: file.filename }));
    }
  });

  it("refuses a DOCX bomb with the limit named, and keeps IngestError codes from the worker", async () => {
    const parser = new WorkerDocumentParser();
    const error = await parser
      .parse({ filename: "bomb.docx", bytes: makeDocxBomb(300 * MiB).bytes }, LIMITS)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect(error).toMatchObject({
      code: "ARCHIVE_TOO_LARGE",
      message: expect.stringContaining("8 MiB"),
      limit: { name: "maxDocxXmlBytes", value: 8 * MiB },
    });
    await expect(
      parser.parse({ filename: "x.docx", bytes: encode("PK\u0003\u0004word/ broken") }, LIMITS),
    ).rejects.toMatchObject({
      code: "CORRUPT",
    });
  });

  it("answers PARSE_LIMIT_EXCEEDED when a document needs more heap than the worker has, and this process goes on", async () => {
    // 2 MiB of paragraphs is within the archive limits but needs ~200 MiB of heap in mammoth.
    const heavy = makeDocxBomb(2 * MiB).bytes;
    const small = new WorkerDocumentParser({ memoryMb: 48 });
    await expect(small.parse({ filename: "heavy.docx", bytes: heavy }, LIMITS)).rejects.toMatchObject({
      code: "PARSE_LIMIT_EXCEEDED",
      message: "parsing needed more memory than the limit of 48 MiB",
      limit: { name: "memoryMb", value: 48, unit: "MiB" },
    });
    // the same parser's next worker is a fresh one
    await expect(
      small.parse({ filename: "ok.md", bytes: encode("# Fine\n\nstill here") }, LIMITS),
    ).resolves.toMatchObject({
      type: "markdown",
    });
  });

  it("stops a parse whose decoded PDF streams, which the heap cap does not count, push RSS past its budget", async () => {
    const bomb = makePdfBomb(300 * MiB);
    expect(bomb.byteLength).toBeLessThan(1.5 * MiB);
    const parser = new WorkerDocumentParser({ memoryMb: 128, memoryHeadroomMb: 0, timeoutMs: 30_000 });
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 10);
    const started = performance.now();
    const error = await parser.parse({ filename: "bomb.pdf", bytes: bomb }, LIMITS).catch((e: unknown) => e);
    clearInterval(sampler);
    expect(error).toMatchObject({ code: "PARSE_LIMIT_EXCEEDED", limit: { name: "memoryMb", value: 128 } });
    // Unwatched, it runs into the 30 s time limit with ~1 GiB of RSS.
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(peak - before).toBeLessThan((128 + 64) * MiB);
  });

  it("answers PARSE_LIMIT_EXCEEDED past the time limit", async () => {
    const parser = new WorkerDocumentParser({ timeoutMs: 150 });
    await expect(
      parser.parse({ filename: "slow.docx", bytes: makeDocxBomb(4 * MiB).bytes }, LIMITS),
    ).rejects.toMatchObject({
      code: "PARSE_LIMIT_EXCEEDED",
      message: "parsing took longer than the limit of 150 ms",
      limit: { name: "timeoutMs", value: 150 },
    });
  });

  it("stops a parse when its signal aborts, and a parse waiting for its turn too", async () => {
    const parser = new WorkerDocumentParser({ concurrency: 1 });
    const running = new AbortController();
    const waiting = new AbortController();
    const slow = { filename: "slow.docx", bytes: makeDocxBomb(4 * MiB).bytes };
    const first = parser.parse(slow, { ...LIMITS, signal: running.signal });
    const second = parser.parse(slow, { ...LIMITS, signal: waiting.signal });
    waiting.abort(new Error("second client gone"));
    await expect(second).rejects.toThrow("second client gone");
    const started = performance.now();
    running.abort(new Error("first client gone"));
    await expect(first).rejects.toThrow("first client gone");
    // A 4 MiB parse takes seconds; the terminated worker answers at once.
    expect(performance.now() - started).toBeLessThan(1_000);
    // both slots are free again
    await expect(parser.parse({ filename: "n.txt", bytes: encode("next") }, LIMITS)).resolves.toMatchObject({
      type: "text",
    });
  });
});
