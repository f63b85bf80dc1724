import { prng } from "./prng.ts";

/**
 * Measuring a bot's HNSW index before its searches use it: queries made from the bot's own
 * chunks are searched exactly and through the index, and the index is trusted at the lowest
 * `hnsw.ef_search` whose recall reaches the policy's `minRecall` — or not at all. How well an index finds neighbours
 * depends on the data: on clustered vectors (as real embeddings are) `ef_search` 100 found 99 %
 * of the exact top-5 at 100k chunks, on uniform random vectors 25 %, and no setting up to 1,000
 * came near 95 %; only measuring tells which bot is which.
 */

/** One `hnsw.ef_search` tried: the recall@k it gave against exact search, and its p50 latency. */
export interface CalibrationRung {
  readonly efSearch: number;
  readonly recall: number;
  readonly p50Ms: number;
}

/** What measuring a bot's index found, kept in `hnsw_calibrations` (migration 0020). */
export interface HnswCalibration {
  /** `index`: searches go through the index at `efSearch`; `exact`: no `ef_search` tried reached the recall. */
  readonly search: "index" | "exact";
  /** The `ef_search` chosen (for `exact`: the highest tried). */
  readonly efSearch: number;
  /** Recall@k at `efSearch`. */
  readonly recall: number;
  /** p50 of the same queries searched exactly. */
  readonly exactP50Ms: number;
  /** Every `ef_search` tried, lowest first. */
  readonly rungs: readonly CalibrationRung[];
  /** How many of the bot's chunks served as queries. */
  readonly queries: number;
  /** The bot's chunk count when measured (a bot that doubles is measured again). */
  readonly chunks: number;
  readonly measuredAt: Date;
}

/** The searches measured, answering with the keys of the chunks found. */
export interface CalibrationProbe<Query> {
  readonly queries: readonly Query[];
  /** Keys of the exact top `k`. */
  exact(query: Query, k: number): Promise<readonly string[]>;
  /** Keys of the top `k` through the index at this `ef_search`. */
  throughIndex(query: Query, k: number, efSearch: number): Promise<readonly string[]>;
}

export interface CalibrationTargets {
  readonly minRecall: number;
  /** The first `ef_search` tried; each next one doubles it, up to `maxEfSearch`. */
  readonly efSearch: number;
  readonly maxEfSearch: number;
  /** The k of recall@k (default 5). */
  readonly topK?: number;
}

/**
 * The `ef_search` values tried, lowest first: `efSearch` doubled until `maxEfSearch` (which is
 * always the last).
 */
export function efSearchLadder(efSearch: number, maxEfSearch: number): number[] {
  const ladder: number[] = [];
  for (let ef = efSearch; ef < maxEfSearch; ef *= 2) ladder.push(ef);
  ladder.push(maxEfSearch);
  return ladder;
}

/**
 * A query made from a stored chunk: the chunk's direction plus a random one of the same length,
 * so cosine ≈ 0.71 to the chunk (as a question is to the passage answering it). A stored chunk
 * itself would not do: the graph was built from its neighbours, and searched from it gave recall
 * 0.96 at `ef_search` 1 on uniform random vectors, where queries that are not stored chunks get 0.25.
 * The same chunks give the same queries on every measurement (a seed per position).
 */
export function queryNear(chunk: readonly number[], seed: number): number[] {
  const random = prng(seed);
  // Box–Muller: a direction uniform on the sphere
  const noise = Array.from(chunk, () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()));
  const norm = (v: readonly number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0)) || 1;
  const chunkNorm = norm(chunk);
  const noiseNorm = norm(noise);
  return chunk.map((x, i) => x / chunkNorm + (noise[i] as number) / noiseNorm);
}

/**
 * Searches every query exactly, then through the index at each `ef_search` of the ladder until
 * one reaches `minRecall`: recall@k is the share of the exact top k found in the index's top k.
 */
export async function calibrate<Query>(
  probe: CalibrationProbe<Query>,
  targets: CalibrationTargets,
): Promise<Omit<HnswCalibration, "chunks" | "measuredAt">> {
  const k = targets.topK ?? 5;
  const exactLatencies: number[] = [];
  const exact: Set<string>[] = [];
  for (const query of probe.queries) {
    const t0 = performance.now();
    exact.push(new Set(await probe.exact(query, k)));
    exactLatencies.push(performance.now() - t0);
  }
  const expected = exact.reduce((sum, keys) => sum + keys.size, 0);
  const rungs: CalibrationRung[] = [];
  for (const efSearch of efSearchLadder(targets.efSearch, targets.maxEfSearch)) {
    const latencies: number[] = [];
    let found = 0;
    for (const [i, query] of probe.queries.entries()) {
      const t0 = performance.now();
      const keys = await probe.throughIndex(query, k, efSearch);
      latencies.push(performance.now() - t0);
      const truth = exact[i] as Set<string>;
      found += keys.filter((key) => truth.has(key)).length;
    }
    // an empty bot loses nothing through the index
    const rung = { efSearch, recall: expected === 0 ? 1 : found / expected, p50Ms: median(latencies) };
    rungs.push(rung);
    if (rung.recall >= targets.minRecall) {
      return {
        search: "index",
        efSearch,
        recall: rung.recall,
        exactP50Ms: median(exactLatencies),
        rungs,
        queries: exact.length,
      };
    }
  }
  const last = rungs.at(-1) as CalibrationRung;
  return {
    search: "exact",
    efSearch: last.efSearch,
    recall: last.recall,
    exactP50Ms: median(exactLatencies),
    rungs,
    queries: exact.length,
  };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
