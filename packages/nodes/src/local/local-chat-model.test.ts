import { formatContext, type RetrievedDocument } from "@portflow/engine";
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

  const ask = async (content: string) =>
    (await new LocalChatModel().chat({ messages: [{ role: "user", content }] })).text;
  const doc = (content: string, metadata: Record<string, unknown>, i = 0): RetrievedDocument => ({
    content,
    score: 0.5,
    metadata,
    document_id: `d${i}`,
    chunk_index: i,
  });

  it("quotes a fact that follows a blank line inside a chunk, as the llm node renders it", async () => {
    const context = formatContext([
      doc("Refund policy overview.\n\nRefunds are paid back within 5 business days of approval.", {
        filename: "faq.md",
      }),
      doc("Our office is closed on public holidays.\n\nThe lobby opens at 9.", { filename: "office.md" }, 1),
    ]);
    const text = await ask(`Context:\n${context}\n\nQuestion: How many business days until refunds are paid back?`);
    expect(text).toContain("Refunds are paid back within 5 business days of approval. [1]");
    expect(text).not.toContain("holidays");
  });

  it("keeps a label with parentheses out of the quote", async () => {
    const context = formatContext([
      doc("Refunds are paid within 5 business days.", { filename: "faq.md", heading: "Refunds (EU) > Timing" }),
    ]);
    const text = await ask(`${context}\n\nQ: When are refunds paid?`);
    expect(text).toContain("According to the sources: Refunds are paid within 5 business days. [1]");
    expect(text).not.toContain("Timing)");
  });

  it("does not end a quote at a short PDF line inside a Korean sentence", async () => {
    const context = formatContext([
      doc("이 도구는 배포 상태를 확인하기 위해 만\n들었습니다. 로그는 30일 동안 보관됩니다.", {
        filename: "guide.pdf",
        page: 2,
      }),
    ]);
    const text = await ask(`${context}\n\n질문: 이 도구는 무엇을 확인하기 위해 만들었나요?`);
    expect(text).toContain("배포 상태를 확인하기 위해 만 들었습니다. [1]");
    expect(text).not.toContain("로그는");
  });

  it("does not append sentences from an unrelated source to a correct answer", async () => {
    const context = formatContext([
      doc("Database backups run every night at 02:00 UTC and are kept for 14 days.", { filename: "backup.md" }),
      doc("Database migrations run every weekday after the standup.", { filename: "deploy.md" }, 1),
    ]);
    const text = await ask(`${context}\n\nQ: When do database backups run?`);
    expect(text).toContain("Database backups run every night at 02:00 UTC and are kept for 14 days. [1]");
    expect(text).not.toContain("[2]");
  });

  it("quotes a sentence repeated in several sources once, citing each of them", async () => {
    const context = formatContext([
      doc("Refunds are paid within five working days. Section 6 adds detail.", { filename: "faq.md" }),
      doc("Refunds are paid within five working days. Section 30 adds detail.", { filename: "faq.md" }, 1),
      doc("Gift cards never expire.", { filename: "faq.md" }, 2),
    ]);
    const text = await ask(`${context}\n\nQ: How long do refunds take?`);
    expect(text).toContain("Refunds are paid within five working days. [1][2]");
    expect(text.match(/Refunds are paid/g)).toHaveLength(1);
  });

  it("does not let the words framing a question pick a sentence about another topic", async () => {
    const context = formatContext([
      doc("Customers can ask for a refund within 30 days. Refunds are paid back within 5 business days.", {
        filename: "refunds.md",
      }),
      doc(
        "Orders ship from Rotterdam. Standard shipping takes 3 to 4 days inside the EU.",
        { filename: "shipping.txt" },
        1,
      ),
    ]);
    const text = await ask(`${context}\n\nQ: How long do refunds take?`);
    expect(text).toContain("Refunds are paid back within 5 business days. [1]");
    expect(text).not.toContain("shipping");
  });

  describe("which sentence answers", () => {
    const askWith = async (content: string, maxSentences?: number) =>
      (
        await new LocalChatModel(maxSentences === undefined ? {} : { maxSentences }).chat({
          messages: [{ role: "user", content }],
        })
      ).text;

    it("matches a Korean question's English words across particles and inflections, not the particles themselves", async () => {
      const context = formatContext([
        doc("지원 티켓은 해결되면 자동으로 닫힙니다.", { filename: "support.md" }),
        doc(
          "The canary is promoted automatically when the error rate stays below 0.5 percent.",
          {
            filename: "deploy.md",
          },
          1,
        ),
      ]);
      const text = await ask(`${context}\n\nQ: canary가 자동으로 promote되는 조건은?`);
      expect(text).toContain("The canary is promoted automatically when the error rate stays below 0.5 percent. [2]");
      expect(text).not.toContain("티켓");
    });

    it("meets an inflected English word at its stem (acknowledged / Acknowledge)", async () => {
      const context = formatContext([
        doc("Acknowledge a page within 5 minutes. If a page is not acknowledged in 10 minutes, it escalates.", {
          filename: "oncall.md",
        }),
      ]);
      const text = await ask(`${context}\n\nQ: How quickly must a page be acknowledged?`);
      expect(text).toContain("Acknowledge a page within 5 minutes. [1]");
    });

    it("does not let the words framing a Korean question (어떤, 무엇, 하나요) pick a sentence", async () => {
      const context = formatContext([
        doc("어떤 경우에도 비밀번호를 전화로 알려주지 않습니다.", { filename: "support.md" }),
        doc("For a planned switchover run `patronictl switchover` during low traffic.", { filename: "db.md" }, 1),
      ]);
      const text = await ask(`${context}\n\nQ: 계획된 DB switchover는 어떤 명령으로 하나요?`);
      expect(text).toContain("For a planned switchover run `patronictl switchover` during low traffic. [2]");
      expect(text).not.toContain("비밀번호");
    });

    it("quotes the sentence under the section heading that names what the question asks", async () => {
      const context = formatContext([
        doc("Integration tests run on staging before each deploy.", {
          filename: "deploy.md",
          heading: "Deploy > Checks",
        }),
        doc(
          "It runs every Monday on a staging cluster.",
          { filename: "backup.md", heading: "Backups > Restore tests" },
          1,
        ),
      ]);
      const text = await ask(`${context}\n\nQ: When does the restore test run?`);
      expect(text).toContain("It runs every Monday on a staging cluster. [2]");
    });

    it("prefers a sentence that states a time when the question asks when, without quoting figures that do not match", async () => {
      const context = formatContext([
        doc("The restore test runs on a staging cluster. The restore test runs every Monday.", {
          filename: "backup.md",
        }),
        doc("Invoices are sent on the 1st of each month.", { filename: "billing.md" }, 1),
      ]);
      const when = await askWith(`${context}\n\nQ: When does the restore test run?`, 1);
      expect(when).toContain("According to the sources: The restore test runs every Monday. [1]");
      expect(when).not.toContain("Invoices");
      // the same sentences without "when": the first of two equal matches
      const where = await askWith(`${context}\n\nQ: Where does the restore test run?`, 1);
      expect(where).toContain("According to the sources: The restore test runs on a staging cluster. [1]");
    });

    it("keeps the best-ranked source's answer when a source retrieval ranked far lower matches a rarer word", async () => {
      const context = formatContext([
        doc("Passwords are rotated every 90 days. Passwords need 12 characters.", { filename: "security.md" }),
        doc("The office opens at 9.", { filename: "office.md" }, 1),
        doc("Lunch is served at noon.", { filename: "office.md" }, 2),
        doc("Hotfixes ship whatever the release cycle.", { filename: "release.md" }, 3),
      ]);
      const text = await ask(`${context}\n\nQ: password cycle?`);
      expect(text).toContain("Passwords are rotated every 90 days. [1]");
    });

    it("prefers a `label: value` line whose label names the question's subject", async () => {
      const context = formatContext([
        doc("SEV1 incidents get an incident commander at once.", { filename: "incident.md" }),
        doc(
          "- SEV1: checkout is down for 10 minutes or more.\n- SEV2: one feature is broken.",
          { filename: "incident.md" },
          1,
        ),
      ]);
      const text = await askWith(`${context}\n\nQ: What counts as SEV1?`, 1);
      expect(text).toContain("According to the sources: - SEV1: checkout is down for 10 minutes or more. [2]");
    });
  });
});
