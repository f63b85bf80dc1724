import { describe, expect, it } from "vitest";
import { toStoredJson } from "./stored-json.ts";

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

  it("never throws: cycles, bigints, undefined and NUL characters", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(JSON.parse(toStoredJson(cycle).text)).toHaveProperty("__unserializable");
    expect(toStoredJson({ n: 10n }).text).toBe('{"n":"10"}');
    expect(toStoredJson(undefined).text).toBe("null");
    expect(toStoredJson({ s: "a\u0000b" }).text).toBe('{"s":"a\\ufffdb"}');
  });
});
