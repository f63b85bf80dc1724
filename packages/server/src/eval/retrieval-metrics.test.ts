import { describe, expect, it } from "vitest";
import { type EvalQuestion, isRelevant, retrievalMetrics } from "./retrieval-metrics.ts";

const q = (n: number): EvalQuestion => ({
  question: `question ${n}`,
  expected_document: `doc${n}.md`,
  expected_phrase: `fact  number\n${n}`,
});
const chunk = (filename: string, content: string) => ({ filename, content, score: 0.5 });
const hit = (n: number) => chunk(`doc${n}.md`, `Here the FACT number ${n} is stated.`);
const noise = chunk("other.md", "nothing relevant");

describe("retrievalMetrics", () => {
  it("counts a chunk as relevant only from the expected document and with the phrase, ignoring case and spacing", () => {
    expect(isRelevant(q(1), hit(1))).toBe(true);
    expect(isRelevant(q(1), chunk("other.md", "fact number 1"))).toBe(false);
    expect(isRelevant(q(1), chunk("doc1.md", "fact number 2"))).toBe(false);
  });

  it("computes recall@1, recall@k and MRR from the rank of the first relevant chunk", () => {
    const m = retrievalMetrics(
      [
        { question: q(1), retrieved: [hit(1), noise] }, // rank 1
        { question: q(2), retrieved: [noise, noise, hit(2)] }, // rank 3
        { question: q(3), retrieved: [noise, noise] }, // miss
        { question: q(4), retrieved: [noise, noise, noise, hit(4)] }, // rank 4: outside k = 3
      ],
      3,
    );
    expect(m.outcomes.map((o) => o.rank)).toEqual([1, 3, null, null]);
    expect(m).toMatchObject({ k: 3, questions: 4, hitsAt1: 1, hitsAtK: 2, recallAt1: 0.25, recallAtK: 0.5 });
    expect(m.mrr).toBeCloseTo((1 + 1 / 3) / 4, 10);
    expect(m.outcomes[3]?.retrieved).toHaveLength(3);
  });

  it("gives zeros for an empty set and refuses a k below 1", () => {
    expect(retrievalMetrics([], 5)).toMatchObject({ questions: 0, recallAt1: 0, recallAtK: 0, mrr: 0 });
    expect(() => retrievalMetrics([], 0)).toThrow(RangeError);
  });
});
