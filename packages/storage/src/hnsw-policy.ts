import { z } from "zod";

/**
 * How a bot's chunks are searched once the bot outgrows exact search: plain data with
 * documented defaults, given to `PgVectorStore` (the server reads it from `PORTFLOW_HNSW_*`).
 *
 * A bot's searches through its own HNSW index ask the index for `topK × candidateFactor`
 * candidates (at least `efSearch` is explored, `hnsw.iterative_scan` keeps a metadata filter from
 * starving the list) and re-rank them on the exact distance of the full vectors, so the top-k
 * comes from a wide net rather than the index's own first five.
 */
export interface HnswPolicy {
  /**
   * A bot reaching this many chunks gets its HNSW index built automatically, in the background
   * with `CREATE INDEX CONCURRENTLY` (PostgreSQL only: on embedded PGlite searches stay exact).
   * `0` never builds one. Default 10,000 (exact p50 at 10k chunks was already ~4× the index's in the bench).
   */
  readonly minChunks: number;
  /**
   * `hnsw.ef_search` for searches through a bot's index (`SET LOCAL` in their transaction).
   * Default 100: recall@5 1.00 on 100k clustered chunks in the bench at about half the time of 200.
   */
  readonly efSearch: number;
  /** Candidates asked of the index per search: `topK ×` this, re-ranked exactly. Default 10. */
  readonly candidateFactor: number;
  /**
   * The recall@5 a bot's index must show before its searches use it. Once an index is built the
   * store measures it (see `HnswCalibration`): `calibrationQueries` of the bot's own chunks searched
   * exactly and through the index at `efSearch`, doubled up to `maxEfSearch` until the recall is
   * reached; a bot whose index never reaches it keeps exact search. Default 0.95. `0` measures
   * nothing and searches through the index at `efSearch` as soon as it is valid.
   */
  readonly minRecall: number;
  /** The highest `hnsw.ef_search` the measuring tries (the latency a bot may be given for recall). Default 1,000. */
  readonly maxEfSearch: number;
  /** How many of the bot's chunks the measuring uses as queries. Default 50. */
  readonly calibrationQueries: number;
  /**
   * An upsert of at least this many chunks into a bot that has its index drops the index, loads
   * with binary COPY and rebuilds it concurrently afterwards (inserting row by row into a large
   * HNSW graph crawls); searches are exact meanwhile. Default 1,000.
   */
  readonly bulkLoadRows: number;
  /** HNSW `m` of an index the policy builds. Default 16. */
  readonly m: number;
  /** HNSW `ef_construction` of an index the policy builds. Default 64. */
  readonly efConstruction: number;
  /** `maintenance_work_mem` (MiB) of the build's session: the graph must fit or the build slows down. Default 1,024. */
  readonly buildMemoryMb: number;
}

/** The policy's defaults (see each field of {@link HnswPolicy}). */
export const DEFAULT_HNSW_POLICY: HnswPolicy = Object.freeze({
  minChunks: 10_000,
  efSearch: 100,
  candidateFactor: 10,
  minRecall: 0.95,
  maxEfSearch: 1_000,
  calibrationQueries: 50,
  bulkLoadRows: 1_000,
  m: 16,
  efConstruction: 64,
  buildMemoryMb: 1_024,
});

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const policySchema = z
  .object({
    minChunks: int(0, 1_000_000_000),
    // pgvector's own bounds
    efSearch: int(1, 1_000),
    candidateFactor: int(1, 100),
    minRecall: z.number().min(0).max(1),
    maxEfSearch: int(1, 1_000),
    calibrationQueries: int(1, 10_000),
    bulkLoadRows: int(1, 1_000_000_000),
    m: int(2, 100),
    efConstruction: int(4, 1_000),
    buildMemoryMb: int(1, 1_048_576),
  })
  .strict()
  .refine((p) => p.maxEfSearch >= p.efSearch, { path: ["maxEfSearch"], message: "must be at least efSearch" });

/**
 * The defaults with `overrides` applied, validated.
 *
 * @throws RangeError naming the first bad field.
 * @example
 * const policy = resolveHnswPolicy({ minChunks: 50_000, efSearch: 100 });
 */
export function resolveHnswPolicy(overrides: Partial<HnswPolicy> = {}): HnswPolicy {
  const parsed = policySchema.safeParse({ ...DEFAULT_HNSW_POLICY, ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RangeError(`HNSW policy ${issue?.path.join(".") || "value"}: ${issue?.message ?? "invalid"}`);
  }
  return Object.freeze(parsed.data);
}
