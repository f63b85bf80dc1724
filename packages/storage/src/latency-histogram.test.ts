import { describe, expect, it } from "vitest";
import { LATENCY_BUCKETS_PER_DOUBLING, latencyPercentile } from "./latency-histogram.ts";

/** What `portflow_latency_bucket` (migration 0012) computes in SQL. */
const bucketOf = (ms: number) =>
  Math.floor((Math.log(Math.max(ms, 0.001)) / Math.log(2)) * LATENCY_BUCKETS_PER_DOUBLING);

/** percentile_cont over the exact values. */
function exact(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

function histogram(values: readonly number[]) {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(bucketOf(v), (counts.get(bucketOf(v)) ?? 0) + 1);
  return [...counts].map(([bucket, count]) => ({ bucket, count }));
}

describe("latencyPercentile", () => {
  it("stays within one bucket (2.2 %) of percentile_cont, for few values and for many", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const sets = [
      [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
      [4, 6],
      [0.05],
      Array.from({ length: 5000 }, () => 150 + random() * 4000),
      Array.from({ length: 5000 }, () => Math.exp(random() * 10)), // 1 ms .. 22 s, log-uniform
      Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 0 : 0.2 + i)), // zeros count as 1 µs
    ];
    for (const values of sets) {
      for (const p of [0, 0.5, 0.95, 1]) {
        const want = exact(values, p);
        const got = latencyPercentile(histogram(values), p);
        expect(Math.abs(got - want), `p${p * 100} of ${values.length} values: ${got} vs ${want}`).toBeLessThanOrEqual(
          Math.max(want * 0.022, 0.001),
        );
      }
    }
  });

  it("is NaN without executions", () => {
    expect(latencyPercentile([], 0.5)).toBeNaN();
    expect(latencyPercentile([{ bucket: 3, count: 0 }], 0.5)).toBeNaN();
  });
});
