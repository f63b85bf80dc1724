import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keywordQueryTerms, keywordTokens, lightStem } from "./keyword-tokens.ts";

describe("keywordTokens", () => {
  it("splits Korean into overlapping character bigrams, so a word with a particle still meets its stem", () => {
    expect(keywordTokens("배포는 평일에")).toEqual(["배포", "포는", "평일", "일에"]);
    const query = keywordQueryTerms("배포");
    expect(query.every((t) => keywordTokens("배포는 평일에만 합니다").includes(t))).toBe(true);
  });

  it("keeps a single Hangul character as a token of its own", () => {
    expect(keywordTokens("5 분")).toEqual(["5", "분"]);
  });

  it("lower-cases English words, drops stopwords and stems plurals and verb endings", () => {
    expect(keywordTokens("The Refunds are PAID within 5 business days")).toEqual([
      "refund",
      "paid",
      "within",
      "5",
      "business",
      "day",
    ]);
    expect(keywordTokens("deploying deployed deploys")).toEqual(["deploy", "deploy", "deploy"]);
    expect(keywordTokens("policies stopped boxes")).toEqual(["policy", "stop", "box"]);
  });

  it("separates scripts inside one mixed run and keeps identifiers and numbers", () => {
    expect(keywordTokens("API키를 SEV1에서")).toEqual(["api", "키를", "sev1", "에서"]);
    expect(keywordTokens("./deploy.sh --rollback")).toEqual(["deploy", "sh", "rollback"]);
  });

  it("normalises full-width and compatibility forms (NFKC) before splitting", () => {
    expect(keywordTokens("ＡＰＩ　１０")).toEqual(["api", "10"]);
  });

  it("indexes Chinese and Japanese runs as bigrams too", () => {
    expect(keywordTokens("退款政策")).toEqual(["退款", "款政", "政策"]);
    expect(keywordTokens("カナリア")).toEqual(["カナ", "ナリ", "リア"]);
  });

  it("drops runs too long to be words (hashes) and returns nothing for punctuation only", () => {
    expect(keywordTokens(`id ${"a1".repeat(40)} ok`)).toEqual(["id", "ok"]);
    expect(keywordTokens(" -- !! ")).toEqual([]);
  });

  it("query terms are distinct, in first-seen order", () => {
    expect(keywordQueryTerms("refund refunds 환불 환불")).toEqual(["refund", "환불"]);
  });
});

describe("lightStem", () => {
  it("leaves short words and words ending in ss/us/is alone", () => {
    expect(["bus", "class", "status", "analysis", "is", "gas"].map(lightStem)).toEqual([
      "bus",
      "class",
      "status",
      "analysis",
      "is",
      "gas",
    ]);
  });
});

describe("keywordTokens against its definition", () => {
  // The definition, as a regex: maximal runs of Hangul/Han/Hiragana/Katakana (bigrams), or of
  // other letters, digits and marks (words). The tokenizer scans code points instead (2–3× faster
  // at ingest) and must split exactly alike, or stored chunks and queries stop meeting.
  const CJK = "\\p{Script=Hangul}\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}";
  const RUN = new RegExp(`[${CJK}]+|(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])+`, "gu");
  const reference = (text: string): string[] =>
    [...text.normalize("NFKC").toLowerCase().matchAll(RUN)].flatMap(([run]) => {
      if (new RegExp(`[${CJK}]`, "u").test(run)) {
        const chars = Array.from(run);
        return chars.length === 1 ? [run] : chars.slice(1).map((c, i) => `${chars[i]}${c}`);
      }
      // a lone word run: its stopword, length and stemming rules, as the tokenizer applies them
      return keywordTokens(run);
    });

  it("splits random text of every script exactly as the regex definition does", () => {
    const alphabet = [..."aZ9 ́가나ㄱ漢カ한-_.🙂ﬁＡ②Ⅻ\u{20000}\uD800"];
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 120 }), (t) => {
        expect(keywordTokens(t)).toEqual(reference(t));
      }),
      {
        numRuns: 1_000,
      },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 80 }), (t) => {
        expect(keywordTokens(t)).toEqual(reference(t));
      }),
      { numRuns: 1_000 },
    );
  });
});
