import { describe, expect, it } from "vitest";
import { efSearchLadder } from "./hnsw-calibration.ts";
import { DEFAULT_HNSW_POLICY, resolveHnswPolicy } from "./hnsw-policy.ts";

describe("the HNSW policy", () => {
  it("applies overrides to the documented defaults and names the first bad field", () => {
    expect(resolveHnswPolicy()).toEqual(DEFAULT_HNSW_POLICY);
    expect(resolveHnswPolicy({ minRecall: 0.9, maxEfSearch: 400 })).toMatchObject({
      minRecall: 0.9,
      maxEfSearch: 400,
      efSearch: 100,
    });
    expect(() => resolveHnswPolicy({ minRecall: 1.5 })).toThrow(/^HNSW policy minRecall: /);
    expect(() => resolveHnswPolicy({ efSearch: 400, maxEfSearch: 200 })).toThrow(
      "HNSW policy maxEfSearch: must be at least efSearch",
    );
  });

  it("measures ef_search from the policy's value, doubling, up to and including the ceiling", () => {
    expect(efSearchLadder(100, 1_000)).toEqual([100, 200, 400, 800, 1_000]);
    expect(efSearchLadder(5, 10)).toEqual([5, 10]);
    expect(efSearchLadder(1_000, 1_000)).toEqual([1_000]);
  });
});
