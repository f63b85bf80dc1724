/**
 * One bot with 100,000 chunks on PostgreSQL: exact search against the HNSW policy (candidate
 * search re-ranked exactly), on uniform and on clustered vectors. Recall@5 is measured against
 * the store's own exact search, taken before the bot's index exists. Also: exact p50 as the bot
 * grows (where the automatic threshold sits), the index build, what measuring the index chose
 * (the default policy's `minRecall`) and the searches that follow it, and loading into an indexed bot.
 *
 * Sizes (env): BENCH_STORAGE_HNSW_CHUNKS (100000), BENCH_STORAGE_HNSW_QUERIES (100),
 * BENCH_STORAGE_HNSW_KINDS (uniform,clustered), BENCH_STORAGE_DIMS (1024).
 */
import { loadavg } from "node:os";
import type { ChunkRecord } from "@portflow/engine";
import { sql } from "kysely";
import { createStorage, DEFAULT_HNSW_POLICY, type HnswPolicy, openDatabase, PgVectorStore } from "../src/index.ts";
import type { PostgresServer } from "../src/testing/index.ts";
import { envInt, percentile, prng } from "./bench-math.ts";

type BenchRow = { group: string; name: string; value: number; unit: string; note?: string };

const DIMS = envInt("BENCH_STORAGE_DIMS", 1024);
const CHUNKS = envInt("BENCH_STORAGE_HNSW_CHUNKS", 100_000);
const QUERIES = envInt("BENCH_STORAGE_HNSW_QUERIES", 100);
const KINDS = (process.env.BENCH_STORAGE_HNSW_KINDS ?? "uniform,clustered").split(",") as DataKind[];
const BATCH = 2_000;
const CENTROIDS = 1_000;
/** Exact p50 is sampled when the bot reaches these sizes. */
const CHECKPOINTS = [5_000, 10_000, 20_000, 50_000, 100_000];

type DataKind = "uniform" | "clustered";

/**
 * The policies compared (`BENCH_STORAGE_HNSW_POLICIES`, `ef_search×factor` pairs, e.g.
 * `40x1,100x10`): plain HNSW as pgvector's defaults give it, and wider candidate sets.
 */
const POLICIES: readonly Pick<HnswPolicy, "efSearch" | "candidateFactor">[] = (
  process.env.BENCH_STORAGE_HNSW_POLICIES ?? "40x1,64x2,100x10,200x20,400x40"
)
  .split(",")
  .map((pair) => {
    const [efSearch, candidateFactor] = pair.split("x").map(Number);
    if (!Number.isInteger(efSearch) || !Number.isInteger(candidateFactor)) {
      throw new Error(`BENCH_STORAGE_HNSW_POLICIES: "${pair}" is not ef_search×factor (e.g. 100x10)`);
    }
    return { efSearch: efSearch as number, candidateFactor: candidateFactor as number };
  });

const policyLabel = (p: Pick<HnswPolicy, "efSearch" | "candidateFactor">) =>
  p.candidateFactor === 1
    ? `HNSW alone (ef_search ${p.efSearch}, top-5 straight from the index)`
    : `HNSW ef_search ${p.efSearch}, ${5 * p.candidateFactor} candidates re-ranked`;
const isDefault = (p: Pick<HnswPolicy, "efSearch" | "candidateFactor">) =>
  p.efSearch === DEFAULT_HNSW_POLICY.efSearch && p.candidateFactor === DEFAULT_HNSW_POLICY.candidateFactor;

const load = () => `load ${loadavg()[0]!.toFixed(1)} on 2 cores`;

/** Vectors of one kind: uniform in [-1, 1]^D, or around 1,000 centroids (like topics of real embeddings). */
function vectors(kind: DataKind, random: () => number) {
  const centroids =
    kind === "clustered"
      ? Array.from({ length: CENTROIDS }, () => Array.from({ length: DIMS }, () => random() * 2 - 1))
      : [];
  return {
    chunk(): number[] {
      if (kind === "uniform") return Array.from({ length: DIMS }, () => random() * 2 - 1);
      const centroid = centroids[Math.floor(random() * CENTROIDS)]!;
      return centroid.map((x) => x + (random() * 2 - 1) * 0.6);
    },
    /** A query near a stored chunk. */
    query(base: readonly number[]): number[] {
      return base.map((x) => x + (random() * 2 - 1) * (kind === "uniform" ? 0.8 : 0.6));
    },
  };
}

export async function benchHnswAtScale(server: PostgresServer, rows: BenchRow[]): Promise<void> {
  for (const kind of KINDS) await benchKind(server, kind, rows);
}

async function benchKind(server: PostgresServer, kind: DataKind, rows: BenchRow[]): Promise<void> {
  const group = "storage/pg-hnsw";
  const size = `1 bot × ${CHUNKS} chunks × ${DIMS} dims, ${kind}`;
  const database = await openDatabase({
    databaseUrl: await server.createDatabase(`hnsw_${kind}`),
    embeddingDimensions: DIMS,
  });
  // no automatic build while loading: the exact answers are taken first
  const storage = createStorage(database, {
    validate: () => ({ ok: true, problems: [] }),
    vectors: { hnsw: { minChunks: 0 } },
  });
  const random = prng(kind === "uniform" ? 101 : 202);
  const data = vectors(kind, random);
  const bot = await storage.bots.create({ name: `hnsw-${kind}` });
  const sampled = new Set(Array.from({ length: QUERIES }, () => Math.floor(random() * CHUNKS)));
  const bases: number[][] = [];
  const chunk = (i: number): ChunkRecord => {
    const embedding = data.chunk();
    if (sampled.has(i)) bases.push(embedding);
    return {
      documentId: `doc-${Math.floor(i / 100)}`,
      chunkIndex: i,
      content: `chunk ${i} of ${kind}`,
      metadata: { page: i % 20 },
      embedding,
    };
  };
  const exactP50 = async (queries: number[][]) => {
    const latencies: number[] = [];
    for (const q of queries) {
      const t0 = performance.now();
      await storage.vectors.search(bot.id, q, { topK: 5 });
      latencies.push(performance.now() - t0);
    }
    return percentile(
      latencies.sort((a, b) => a - b),
      0.5,
    );
  };
  let loadMs = 0;
  const growth: string[] = [];
  for (let start = 0; start < CHUNKS; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, CHUNKS - start) }, (_, k) => chunk(start + k));
    const t0 = performance.now();
    await storage.vectors.upsert(bot.id, batch);
    loadMs += performance.now() - t0;
    const count = start + batch.length;
    if (CHECKPOINTS.includes(count) && bases.length > 0) {
      await sql`ANALYZE document_embeddings`.execute(database.db);
      const p50 = await exactP50(bases.slice(0, 20).map((b) => data.query(b)));
      growth.push(`${count / 1000}k: ${p50.toFixed(1)} ms`);
    }
  }
  await sql`ANALYZE document_embeddings`.execute(database.db);
  rows.push({
    group,
    name: `${kind}: chunk ingest, no index (binary COPY, ${BATCH}-row upserts)`,
    value: CHUNKS / (loadMs / 1000),
    unit: "rows/s",
    note: size,
  });
  rows.push({
    group,
    name: `${kind}: exact top-5 p50 as the bot grows`,
    value: Number.NaN,
    unit: "",
    note: `${growth.join(", ")}; ${load()}`,
  });

  const queries = bases.map((b) => data.query(b));
  const exact: Set<string>[] = [];
  const exactLatencies: number[] = [];
  for (const q of queries) {
    const t0 = performance.now();
    const found = await storage.vectors.search(bot.id, q, { topK: 5 });
    exactLatencies.push(performance.now() - t0);
    exact.push(new Set(found.map((f) => `${f.documentId}#${f.chunkIndex}`)));
  }
  exactLatencies.sort((a, b) => a - b);
  rows.push({
    group,
    name: `${kind}: exact top-5 p50 (recall 1.00 by definition)`,
    value: percentile(exactLatencies, 0.5),
    unit: "ms",
    note: `${size}; ${load()}`,
  });

  // the settings compared as they are (minRecall 0: nothing measured, the index used at once)
  const unmeasured = (policy: Pick<HnswPolicy, "efSearch" | "candidateFactor">) =>
    new PgVectorStore(database, { hnsw: { ...policy, minChunks: 0, minRecall: 0 } });
  let t0 = performance.now();
  await unmeasured(DEFAULT_HNSW_POLICY).createBotHnswIndex(bot.id);
  rows.push({
    group,
    name: `${kind}: HNSW index build (CONCURRENTLY, m 16, ef_construction 64)`,
    value: (performance.now() - t0) / 1000,
    unit: "s",
    note: `${size}; ${load()}`,
  });

  // the default policy measures the index (ef_search 100 doubled up to 1,000 until recall@5 ≥ 0.95)
  t0 = performance.now();
  await storage.vectors.createBotHnswIndex(bot.id);
  const measuredIn = (performance.now() - t0) / 1000;
  const calibration = await storage.vectors.hnswCalibration(bot.id);
  rows.push({
    group,
    name: `${kind}: measuring the index (default policy, ${calibration?.queries} queries near the bot's chunks)`,
    value: measuredIn,
    unit: "s",
    note: `chose ${calibration?.search === "index" ? `the index at ef_search ${calibration.efSearch}` : "exact search"}; recall@5 per ef_search tried: ${calibration?.rungs.map((r) => `${r.efSearch}: ${r.recall.toFixed(2)} (${r.p50Ms.toFixed(1)} ms)`).join(", ")}; exact ${calibration?.exactP50Ms.toFixed(1)} ms; ${load()}`,
  });
  const followed = await timedRecall(storage.vectors, bot.id, queries, exact);
  rows.push({
    group,
    name: `${kind}: default policy as measured (${calibration?.search === "index" ? `index, ef_search ${calibration.efSearch}` : "exact"}): top-5 p50`,
    value: followed.p50,
    unit: "ms",
    note: `${size}; recall@5 vs exact ${followed.recall.toFixed(2)}; p95 ${followed.p95.toFixed(2)} ms; target recall ≥ 0.95 at p50 ≤ 3 ms; ${load()}`,
  });

  for (const policy of POLICIES) {
    const label = `${kind}: ${policyLabel(policy)}${isDefault(policy) ? " (the default's settings, unmeasured)" : ""}`;
    const { p50, p95, recall } = await timedRecall(unmeasured(policy), bot.id, queries, exact);
    rows.push({
      group,
      name: `${label}: top-5 p50`,
      value: p50,
      unit: "ms",
      note: `${size}; p95 ${p95.toFixed(2)} ms; exact p50 ${percentile(exactLatencies, 0.5).toFixed(2)} ms in the same run; ${load()}`,
    });
    rows.push({
      group,
      name: `${label}: recall@5 vs exact`,
      value: recall,
      unit: "ratio",
      note: `${size}; target ≥ 0.95`,
    });
  }

  // loading into the indexed bot: small upserts go into the graph row by row; a large one
  // (≥ bulkLoadRows) drops the index, COPYs and rebuilds it concurrently
  const store = unmeasured(DEFAULT_HNSW_POLICY);
  // a small document (10 chunks), five times: what one upload of a short file costs
  const tenRates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const ten = Array.from({ length: 10 }, (_, k) => chunk(CHUNKS + round * 10 + k));
    t0 = performance.now();
    await store.upsert(bot.id, ten);
    tenRates.push(10 / ((performance.now() - t0) / 1000));
  }
  tenRates.sort((a, b) => a - b);
  rows.push({
    group,
    name: `${kind}: upsert of a 10-chunk document into the indexed bot (median of 5)`,
    value: percentile(tenRates, 0.5),
    unit: "rows/s",
    note: `${size}; range ${tenRates[0]!.toFixed(0)}–${tenRates.at(-1)!.toFixed(0)} rows/s; ${load()}`,
  });
  const small = Array.from({ length: 100 }, (_, k) => chunk(CHUNKS + 50 + k));
  t0 = performance.now();
  await store.upsert(bot.id, small);
  rows.push({
    group,
    name: `${kind}: upsert of 100 chunks into the indexed bot`,
    value: 100 / ((performance.now() - t0) / 1000),
    unit: "rows/s",
    note: `${size}; ${load()}`,
  });
  const bulk = Array.from({ length: 5_000 }, (_, k) => chunk(CHUNKS + 150 + k));
  t0 = performance.now();
  await store.upsert(bot.id, bulk);
  const loaded = performance.now() - t0;
  await store.indexBuilds();
  rows.push({
    group,
    name: `${kind}: upsert of 5,000 chunks into the indexed bot (index dropped, rebuilt)`,
    value: bulk.length / (loaded / 1000),
    unit: "rows/s",
    note: `${size}; index back after ${((performance.now() - t0) / 1000).toFixed(0)} s; ${load()}`,
  });
  await storage.close();
}

/** p50 / p95 of top-5 searches and their recall@5 against the exact answers. */
async function timedRecall(store: PgVectorStore, botId: string, queries: number[][], exact: Set<string>[]) {
  await store.search(botId, queries[0]!, { topK: 5 }); // reads the index state once
  const latencies: number[] = [];
  let hits = 0;
  for (const [i, q] of queries.entries()) {
    const t = performance.now();
    const found = await store.search(botId, q, { topK: 5 });
    latencies.push(performance.now() - t);
    hits += found.filter((f) => exact[i]!.has(`${f.documentId}#${f.chunkIndex}`)).length;
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), recall: hits / (queries.length * 5) };
}
