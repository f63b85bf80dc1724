import { describe, expect, it } from "vitest";
import { foldUnchanged, sideBySideLines } from "./side-by-side-lines.ts";
import { stableJson } from "./stable-json.ts";

describe("sideBySideLines", () => {
  it("pairs a changed line with its replacement, keeping both sides' line numbers", () => {
    const rows = sideBySideLines("a\nb\nc\n", "a\nB\nc\n");
    expect(rows).toEqual([
      { kind: "same", left: { number: 1, text: "a" }, right: { number: 1, text: "a" } },
      { kind: "changed", left: { number: 2, text: "b" }, right: { number: 2, text: "B" } },
      { kind: "same", left: { number: 3, text: "c" }, right: { number: 3, text: "c" } },
    ]);
  });

  it("leaves an added line alone on the right and a removed one alone on the left", () => {
    expect(sideBySideLines("a\nc\n", "a\nb\nc\n")[1]).toEqual({
      kind: "added",
      left: null,
      right: { number: 2, text: "b" },
    });
    const removed = sideBySideLines("a\nb\nc\nd\n", "a\nd\n");
    expect(removed.filter((r) => r.kind === "removed").map((r) => r.left?.text)).toEqual(["b", "c"]);
    expect(removed.at(-1)).toEqual({ kind: "same", left: { number: 4, text: "d" }, right: { number: 2, text: "d" } });
  });

  it("diffs two versions' JSON printed with sorted keys: only the real change shows", () => {
    const rows = sideBySideLines(stableJson({ b: 1, a: { top_k: 5 } }), stableJson({ a: { top_k: 2 }, b: 1 }));
    expect(rows.filter((r) => r.kind !== "same")).toEqual([
      { kind: "changed", left: { number: 3, text: '    "top_k": 5' }, right: { number: 3, text: '    "top_k": 2' } },
    ]);
  });
});

describe("foldUnchanged", () => {
  it("keeps three lines of context around a change and folds the rest", () => {
    const left = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n");
    const right = left.replace("line 10", "line ten");
    const folded = foldUnchanged(sideBySideLines(left, right));
    expect(folded[0]).toEqual({ kind: "folded", count: 6, from: 1 });
    expect(folded.slice(1, 8).map((r) => (r.kind === "folded" ? "…" : r.left?.text))).toEqual([
      "line 7",
      "line 8",
      "line 9",
      "line 10",
      "line 11",
      "line 12",
      "line 13",
    ]);
    expect(folded[8]).toEqual({ kind: "folded", count: 7, from: 14 });
  });

  it("folds everything of two equal texts into one stretch", () => {
    expect(foldUnchanged(sideBySideLines("a\nb\n", "a\nb\n"))).toEqual([{ kind: "folded", count: 2, from: 1 }]);
  });
});
