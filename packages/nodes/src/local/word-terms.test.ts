import { describe, expect, it } from "vitest";
import { wordTerms } from "./word-terms.ts";

describe("wordTerms", () => {
  it("splits a word where its script changes and drops the Korean particle or ending left alone", () => {
    expect(wordTerms("canary가 자동으로 promote되는 조건은?")).toEqual([
      ["canary"],
      ["=자동", "자동"],
      ["promot"],
      ["=조건", "조건"],
    ]);
  });

  it("meets Korean verb forms and English inflections at one stem", () => {
    expect(wordTerms("보관하나요")).toEqual(wordTerms("보관합니다"));
    expect(wordTerms("acknowledged")).toEqual(wordTerms("Acknowledge"));
    expect(wordTerms("backups")).toEqual(wordTerms("backup은"));
  });

  it("gives nothing for the words that frame a question", () => {
    expect(wordTerms("무엇인가요? 어떻게 해야 하나요? How quickly must it be done?")).toEqual([["done"]]);
  });
});
