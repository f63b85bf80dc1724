import { describe, expect, it } from "vitest";
import { parsePrompt } from "./parse-prompt.ts";

describe("parsePrompt", () => {
  it("reads whole blocks, blank lines included, up to the question", () => {
    const parsed = parsePrompt(
      "Answer from the context.\n\nContext:\n[1] (faq.md § Refunds (EU) > Timing) Overview.\n\nPaid in 5 days.\n\n[2] (b.pdf p.3) Other.\n\nQuestion: how long?",
    );
    expect(parsed).toEqual({
      sources: [
        { number: 1, label: "faq.md § Refunds (EU) > Timing", text: "Overview.\n\nPaid in 5 days." },
        { number: 2, label: "b.pdf p.3", text: "Other." },
      ],
      question: "how long?",
    });
  });

  it("takes a question placed before the context, and a [7] inside a chunk for text", () => {
    const parsed = parsePrompt("질문: 환불은 언제?\n\n[1] (a.md) 환불은 5일.\n\n[7] 참고 문헌입니다.");
    expect(parsed.question).toBe("환불은 언제?");
    expect(parsed.sources).toEqual([{ number: 1, label: "a.md", text: "환불은 5일.\n\n[7] 참고 문헌입니다." }]);
  });

  it("without a marker, takes the last paragraph as the question; without sources, the whole prompt", () => {
    expect(parsePrompt("[1] (a.md) Alpha.\n\nBeta.\n\nrefunds?")).toEqual({
      sources: [{ number: 1, label: "a.md", text: "Alpha.\n\nBeta." }],
      question: "refunds?",
    });
    expect(parsePrompt("What is the policy?\n\nPlease be brief.")).toEqual({
      sources: [],
      question: "What is the policy?\n\nPlease be brief.",
    });
  });

  it("keeps a label ending in ')' or with an unclosed '(' out of the text", () => {
    expect(parsePrompt("[1] (guide.md § Step 1)) Open the valve.\n\nQ: how?").sources[0]).toEqual({
      number: 1,
      label: "guide.md § Step 1)",
      text: "Open the valve.",
    });
    expect(parsePrompt("[1] (guide.md § Step (a) Close it (gently).\n\nQ: how?").sources[0]).toEqual({
      number: 1,
      label: "guide.md § Step (a",
      text: "Close it (gently).",
    });
  });
});
