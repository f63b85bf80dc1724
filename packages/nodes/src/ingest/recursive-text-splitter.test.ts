import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitText } from "./recursive-text-splitter.ts";

describe("splitText", () => {
  it("keeps short text whole and splits on paragraphs first", () => {
    expect(splitText("  hello  ", { chunkSize: 100, chunkOverlap: 0 })).toEqual([{ text: "hello", start: 2, end: 7 }]);
    const text = "First paragraph here.\n\nSecond paragraph here.\n\nThird one.";
    expect(splitText(text, { chunkSize: 30, chunkOverlap: 0 }).map((s) => s.text)).toEqual([
      "First paragraph here.",
      "Second paragraph here.",
      "Third one.",
    ]);
  });

  it("falls back to sentences, then words, then characters", () => {
    const sentences = "One two three. Four five six. Seven eight nine.";
    expect(splitText(sentences, { chunkSize: 16, chunkOverlap: 0 }).map((s) => s.text)).toEqual([
      "One two three.",
      "Four five six.",
      "Seven eight",
      "nine.",
    ]);
    expect(splitText("abcdefghij", { chunkSize: 4, chunkOverlap: 1 }).map((s) => s.text)).toEqual([
      "abc",
      "cdef",
      "fghi",
      "ij",
    ]);
  });

  it("splits Korean sentences and words", () => {
    const text = "환불은 영업일 기준 5일 이내에 처리됩니다. 주문 번호가 필요합니다. 디지털 상품은 환불되지 않습니다.";
    const chunks = splitText(text, { chunkSize: 30, chunkOverlap: 0 }).map((s) => s.text);
    expect(chunks[0]).toBe("환불은 영업일 기준 5일 이내에 처리됩니다.");
    expect(chunks.every((c) => c.length <= 30)).toBe(true);
  });

  it("makes consecutive chunks share about chunkOverlap characters, starting at a word", () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
    const spans = splitText(words, { chunkSize: 30, chunkOverlap: 10 });
    expect(spans.length).toBeGreaterThan(3);
    for (let i = 1; i < spans.length; i++) {
      const prev = spans[i - 1] as { end: number };
      const next = spans[i] as { start: number; text: string };
      const shared = prev.end - next.start;
      // never more than asked; less only by the word that would have been cut ("w39" is 3 long)
      expect(shared).toBeLessThanOrEqual(10);
      expect(shared).toBeGreaterThanOrEqual(10 - 3);
      expect(words[next.start - 1]).toBe(" ");
    }
  });

  it("keeps a range asked to stay whole in one chunk when it fits, and never starts an overlap inside it", () => {
    const code = "```yaml\nWORKERS: 2\n\nSecrets:\n  key: x\n```";
    const text = `Intro line one.\n\n${"Filler sentence here. ".repeat(3)}\n\n${code}\n\nAfter the block comes text.`;
    const start = text.indexOf("```");
    const spans = splitText(text, { chunkSize: 60, chunkOverlap: 20, keepWhole: [[start, start + code.length]] });
    expect(spans.some((s) => s.text.includes(code))).toBe(true);
    expect(spans.filter((s) => s.text.includes("WORKERS")).every((s) => s.text.includes(code))).toBe(true);
    // without the range it would be cut at the blank line inside the block
    const plain = splitText(text, { chunkSize: 60, chunkOverlap: 20 });
    expect(plain.some((s) => s.text.includes(code))).toBe(false);
  });

  it("refuses an overlap that is not smaller than the size", () => {
    expect(() => splitText("x", { chunkSize: 10, chunkOverlap: 10 })).toThrow(RangeError);
    expect(() => splitText("x", { chunkSize: 0, chunkOverlap: 0 })).toThrow(RangeError);
  });

  it("property: chunks fit, keep source offsets, come in order and cover every word", () => {
    const word = fc.constantFrom(
      "alpha",
      "beta",
      "환불",
      "gamma.",
      "delta!",
      "x",
      "longerwordthanusual",
      "처리됩니다.",
    );
    const sep = fc.constantFrom(" ", " ", " ", "\n", "\n\n", ". ");
    const textArb = fc.array(fc.tuple(word, sep), { maxLength: 200 }).map((parts) => parts.flat().join(""));
    fc.assert(
      fc.property(
        textArb,
        fc.integer({ min: 5, max: 120 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (text, size, ratio) => {
          const overlap = Math.floor(size * ratio);
          const spans = splitText(text, { chunkSize: size, chunkOverlap: overlap });
          let lastStart = -1;
          for (const span of spans) {
            expect(span.text.length).toBeLessThanOrEqual(size);
            expect(span.text).toBe(text.slice(span.start, span.end));
            expect(span.text.trim()).toBe(span.text);
            expect(span.text).not.toBe("");
            expect(span.start).toBeGreaterThan(lastStart);
            lastStart = span.start;
          }
          // every non-space character of the source is inside some chunk
          const covered = new Uint8Array(text.length);
          for (const span of spans) covered.fill(1, span.start, span.end);
          for (let i = 0; i < text.length; i++) if (!/\s/.test(text[i] as string)) expect(covered[i]).toBe(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
