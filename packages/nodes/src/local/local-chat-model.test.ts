import { describe, expect, it } from "vitest";
import { LocalChatModel } from "./local-chat-model.ts";

const context = [
  "[1] (faq.pdf p.3) Refunds are processed within five business days. Shipping is free over $50.",
  "[2] (policy.md) Our office is closed on public holidays.\nRefund requests need the order number.",
].join("\n\n");

describe("LocalChatModel", () => {
  it("answers extractively with source numbers and says it is the offline model", async () => {
    const model = new LocalChatModel();
    const res = await model.chat({
      messages: [{ role: "user", content: `${context}\n\nQ: How long do refunds take?` }],
    });
    expect(res.text).toContain("Refunds are processed within five business days. [1]");
    expect(res.text).toContain("Refund requests need the order number. [2]");
    expect(res.text).not.toContain("holidays");
    expect(res.text).toMatch(/offline local model/i);
    expect(res.stopReason).toBe("end_turn");
    expect(res.model).toBe(model.model);
    expect(res.usage.input).toBeGreaterThan(10);
    expect(res.usage.output).toBeGreaterThan(5);
  });

  it("answers Korean questions from Korean sources", async () => {
    const res = await new LocalChatModel().chat({
      messages: [
        {
          role: "user",
          content:
            "[1] (안내.md) 환불은 영업일 기준 5일 이내에 처리됩니다. 사무실은 공휴일에 쉽니다.\n\n질문: 환불은 얼마나 걸리나요?",
        },
      ],
    });
    expect(res.text).toContain("환불은 영업일 기준 5일 이내에 처리됩니다. [1]");
    expect(res.text).not.toContain("공휴일");
  });

  it("says plainly when there is no context", async () => {
    const res = await new LocalChatModel().chat({
      messages: [{ role: "user", content: "What is the refund policy?" }],
    });
    expect(res.text).toMatch(/offline local model.*no retrieved context/i);
  });

  it("streams the same answer through onText in a few ordered deltas", async () => {
    const model = new LocalChatModel();
    const request = { messages: [{ role: "user" as const, content: `${context}\n\nrefunds?` }] };
    const deltas: string[] = [];
    const streamed = await model.chat(request, { onText: (d) => deltas.push(d) });
    const plain = await model.chat(request);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.length).toBeLessThanOrEqual(5);
    expect(deltas.join("")).toBe(streamed.text);
    expect(streamed.text).toBe(plain.text);
  });

  it("stops at max_tokens words and reports it", async () => {
    const res = await new LocalChatModel().chat({
      messages: [{ role: "user", content: `${context}\n\nrefunds?` }],
      maxTokens: 3,
    });
    expect(res.text.split(" ")).toHaveLength(3);
    expect(res.stopReason).toBe("max_tokens");
  });
});
