import { describe, expect, it } from "vitest";
import { makeDocx } from "../../test/document-fixtures.ts";
import { makeDocxBomb } from "../testing/compression-bombs.ts";
import { parseDocument } from "./parse-document.ts";

const MiB = 1024 * 1024;

/** Runs `work`, sampling this process's RSS every 10 ms: how far it rose above where it started. */
async function rssGrowth<T>(work: () => Promise<T>): Promise<{ outcome: PromiseSettledResult<T>; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const [outcome] = await Promise.allSettled([work()]);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { outcome: outcome as PromiseSettledResult<T>, growth: peak - before };
}

describe("DOCX decompression limits", () => {
  it("refuses a 1 MB DOCX whose document.xml inflates to 300 MiB, naming the XML limit, in seconds and with little memory", async () => {
    const bomb = makeDocxBomb(300 * MiB);
    expect(bomb.bytes.byteLength).toBeLessThan(1.5 * MiB);
    expect(bomb.documentXmlBytes).toBeGreaterThan(299 * MiB);
    const started = performance.now();
    const { outcome, growth } = await rssGrowth(() => parseDocument(bomb.bytes, { filename: "bomb.docx" }));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(outcome.status).toBe("rejected");
    expect((outcome as PromiseRejectedResult).reason).toMatchObject({
      code: "ARCHIVE_TOO_LARGE",
      message: expect.stringContaining("more than the limit of 8 MiB"),
      limit: { name: "maxDocxXmlBytes", value: 8 * MiB, unit: "bytes" },
    });
    // Parsing it whole would take gigabytes; the check holds one inflated block at a time.
    expect(growth).toBeLessThan(128 * MiB);
  });

  it("counts what really inflates, not what the ZIP headers declare", async () => {
    const liar = makeDocxBomb(40 * MiB, { declaredBytes: 1_000 });
    await expect(parseDocument(liar.bytes)).rejects.toMatchObject({
      code: "ARCHIVE_TOO_LARGE",
      limit: { name: "maxDocxXmlBytes" },
    });
  });

  it("applies the total decompressed limit to all parts, as configured", async () => {
    const docx = makeDocxBomb(2 * MiB);
    await expect(
      parseDocument(docx.bytes, { maxUncompressedBytes: MiB, maxDocxXmlBytes: 4 * MiB }),
    ).rejects.toMatchObject({
      code: "ARCHIVE_TOO_LARGE",
      message: "the DOCX decompresses to more than the limit of 1 MiB",
      limit: { name: "maxUncompressedBytes", value: MiB },
    });
  });

  it("still parses DOCX files under the limits", async () => {
    const small = makeDocxBomb(64 * 1024);
    const parsed = await parseDocument(small.bytes);
    expect(parsed.type).toBe("docx");
    expect(parsed.sections[0]?.text).toMatch(/^Refunds are paid within five working days of the return\./);
    const real = await parseDocument(await makeDocx([{ heading: 1, text: "Install" }, { text: "Run it." }]), {
      maxUncompressedBytes: MiB,
      maxDocxXmlBytes: 256 * 1024,
    });
    expect(real.sections).toEqual([{ text: "Run it.", headings: ["Install"] }]);
  });
});
