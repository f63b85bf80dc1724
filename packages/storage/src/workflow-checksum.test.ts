import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, workflowChecksum } from "./workflow-checksum.ts";

/** The recursive definition canonicalJson replaced: checksums stored before must not change. */
function recursiveCanonicalJson(value: unknown): string | undefined {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

describe("canonicalJson", () => {
  it("writes exactly what the recursive JSON.stringify with sorted keys wrote", () => {
    const withGaps = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(Number.NaN), fc.date());
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        withGaps,
        fc.array(tie("node"), { maxLength: 5 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(recursiveCanonicalJson(v));
      }),
      { seed: 42, numRuns: 3_000 },
    );
  });

  it("hashes equal graphs equally whatever their key order", () => {
    expect(workflowChecksum({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      workflowChecksum({ a: { c: null, d: [1, { e: 3, f: 2 }] }, b: 1 }),
    );
  });

  it("does not overflow the stack on 50,000 levels of nesting", () => {
    let deep: unknown = { leaf: true };
    for (let i = 0; i < 50_000; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    const text = canonicalJson(deep);
    expect(text?.length).toBe(2 * 50_000 + 25_000 * 4 + '{"leaf":true}'.length);
    expect(workflowChecksum(deep)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
