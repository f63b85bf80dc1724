import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ESCAPE_MARKER,
  findTooDeep,
  fromStoredJson,
  MAX_STORED_JSON_DEPTH,
  toJsonb,
  toStoredJson,
} from "./stored-json.ts";

/** Strings built from what jsonb refuses (NUL, lone surrogates), the marker, and look-alikes of escapes. */
const awkwardString = fc
  .array(
    fc.constantFrom(
      "\u0000",
      "\ud800",
      "\udbff",
      "\udc00",
      "\udfff",
      "\ud83d\ude00",
      ESCAPE_MARKER,
      "\\",
      "u",
      "0",
      "d8",
      "fdd0",
      "a",
      "é",
      "\r\n",
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

const awkwardJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    awkwardString,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(awkwardString, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/** What jsonb rejects in JSON text: a NUL escape, or a surrogate escape that is not half of a pair. */
function jsonbRejects(text: string): boolean {
  const withoutPairs = text.replace(/\\\\|\\ud[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}/gi, "");
  return /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(withoutPairs);
}

describe("toStoredJson", () => {
  it("keeps values under the limit whole", () => {
    expect(toStoredJson({ a: [1, "é"] }, 100)).toEqual({ text: '{"a":[1,"é"]}', truncated: false });
  });

  it("replaces values over the limit by a flagged preview, cut on a character boundary", () => {
    const stored = toStoredJson({ text: "é".repeat(5_000) }, 1_000);
    expect(stored.truncated).toBe(true);
    const marker = JSON.parse(stored.text);
    expect(marker).toMatchObject({ __truncated: true, original_bytes: 10_011 });
    expect(marker.preview.startsWith('{"text":"éé')).toBe(true);
    expect(marker.preview).not.toContain("\uFFFD");
    expect(Buffer.byteLength(stored.text)).toBeLessThan(1_000);
  });

  it("never throws: cycles, bigints, undefined, NUL characters and nesting too deep for PostgreSQL", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(JSON.parse(toStoredJson(cycle).text)).toHaveProperty("__unserializable");
    expect(toStoredJson({ n: 10n }).text).toBe('{"n":"10"}');
    expect(toStoredJson(undefined).text).toBe("null");
    expect(toStoredJson({ s: "a\u0000b" }).text).toBe(`{"s":"a${ESCAPE_MARKER}0000b"}`);
    let deep: unknown = "leaf";
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(JSON.parse(toStoredJson({ deep }).text).__unserializable).toMatch(
      new RegExp(`nested deeper than ${MAX_STORED_JSON_DEPTH} levels at deep\\[0\\]`),
    );
  });

  it("round-trips any text losslessly, and never writes what jsonb rejects", () => {
    fc.assert(
      fc.property(awkwardJson, (value) => {
        const { text } = toStoredJson(value, Number.POSITIVE_INFINITY);
        expect(jsonbRejects(text)).toBe(false);
        expect(fromStoredJson(JSON.parse(text))).toEqual(value);
      }),
      { seed: 1_234, numRuns: 2_000 },
    );
  });

  it("leaves ordinary text as JSON.stringify writes it", () => {
    const value = { q: 'hello \\u0000 "quoted" 😀', n: [1, 2.5, null] };
    expect(toJsonb(value)).toBe(JSON.stringify(value));
  });

  it("decodes a key named __proto__ as a plain property", () => {
    const decoded = fromStoredJson(JSON.parse(toJsonb(JSON.parse('{"__proto__":{"a\\u0000":1}}'))));
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__"]);
    expect(Object.keys(Object.getOwnPropertyDescriptor(decoded, "__proto__")?.value as object)).toEqual(["a\u0000"]);
  });
});

describe("findTooDeep", () => {
  it("names the path where the nesting first goes past the limit, on any depth", () => {
    expect(findTooDeep({ a: [{ b: 1 }] }, 3)).toBeUndefined();
    expect(findTooDeep({ a: [{ b: [] }] }, 3)).toBe("a[0].b");
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { x: deep };
    expect(findTooDeep(deep, 2)).toBe("x.x");
  });
});
