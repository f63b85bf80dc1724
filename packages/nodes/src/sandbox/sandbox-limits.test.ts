import { describe, expect, it } from "vitest";
import { limitsFor, resolveSandboxLimits } from "./sandbox-limits.ts";

describe("resolveSandboxLimits", () => {
  it("defaults to 5 s and 64 MB per call, at most 30 s and 256 MB", () => {
    expect(resolveSandboxLimits()).toEqual({
      defaults: { time_ms: 5_000, memory_mb: 64 },
      maxima: { time_ms: 30_000, memory_mb: 256 },
    });
  });

  it("keeps defaults within lowered maxima", () => {
    expect(resolveSandboxLimits({ maxima: { time_ms: 1_000 } }).defaults).toEqual({ time_ms: 1_000, memory_mb: 64 });
  });

  it("refuses a nonsensical server setting", () => {
    expect(() => resolveSandboxLimits({ defaults: { memory_mb: 0 } })).toThrow(/memory_mb/);
  });

  it("uses a node's own limits where it set them", () => {
    expect(limitsFor({ time_ms: 200 }, resolveSandboxLimits())).toEqual({ time_ms: 200, memory_mb: 64 });
  });
});
