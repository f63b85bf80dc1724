/**
 * Node latency percentiles from the bucket counts of `node_statistics_daily` (migration 0012):
 * bucket `b` holds latencies in [2^(b/32), 2^((b+1)/32)) ms, so a percentile read from the
 * counts is within one bucket — 2.2 % — of the exact one, whatever the number of executions.
 */

/** Buckets per doubling of the latency; `portflow_latency_bucket` in SQL uses the same. */
export const LATENCY_BUCKETS_PER_DOUBLING = 32;

/** One bucket's count: `bucket` as `portflow_latency_bucket(ms)` numbers it. */
export interface LatencyBucketCount {
  readonly bucket: number;
  readonly count: number;
}

const bound = (bucket: number): number => 2 ** (bucket / LATENCY_BUCKETS_PER_DOUBLING);

/**
 * The `p` percentile (0..1) as PostgreSQL's `percentile_cont` defines it: the values at the ranks
 * either side of `p × (n − 1)`, interpolated linearly. A value is placed within its bucket as if
 * the bucket's executions were spread evenly (geometrically) across it. NaN when there are none.
 *
 * @example latencyPercentile([{ bucket: 0, count: 1 }, { bucket: 64, count: 1 }], 0.5) // ≈ 2.5 ms
 */
export function latencyPercentile(counts: readonly LatencyBucketCount[], p: number): number {
  const sorted = [...counts].filter((c) => c.count > 0).sort((a, b) => a.bucket - b.bucket);
  const n = sorted.reduce((sum, c) => sum + c.count, 0);
  if (n === 0) return Number.NaN;
  const rank = p * (n - 1);
  const lower = Math.floor(rank);
  const low = valueAt(sorted, lower);
  return low + (valueAt(sorted, Math.min(n - 1, lower + 1)) - low) * (rank - lower);
}

/** The `rank`-th (0-based) value: the bucket holding it, at the item's share of the bucket. */
function valueAt(sorted: readonly LatencyBucketCount[], rank: number): number {
  let before = 0;
  for (const { bucket, count } of sorted) {
    if (rank < before + count)
      return bound(bucket) * 2 ** ((rank - before + 0.5) / count / LATENCY_BUCKETS_PER_DOUBLING);
    before += count;
  }
  return Number.NaN;
}
