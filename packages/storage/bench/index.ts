/**
 * Storage benchmark (`pnpm bench`, or alone: `tsx packages/storage/bench/index.ts`).
 *
 * Measures, on embedded PGlite and on a throw-away PostgreSQL server (when installed):
 * runs recorded per second (4 node executions each, 8 concurrent), chunk ingest rows/s,
 * exact top-5 search p50/p95 for one bot with recall@5 against a brute-force scan, PGlite
 * start time and process RSS after ingesting its chunks.
 *
 * Sizes (env): BENCH_STORAGE_DIMS (1024), BENCH_STORAGE_PG_BOTS (100), BENCH_STORAGE_PGLITE_BOTS (10),
 * BENCH_STORAGE_CHUNKS_PER_BOT (1000), BENCH_STORAGE_PG_RUNS (4000), BENCH_STORAGE_PGLITE_RUNS (1000),
 * BENCH_STORAGE_QUERIES (200).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChunkRecord } from "@portflow/engine";
import { sql } from "kysely";
import { createStorage, openDatabase, type Storage } from "../src/index.ts";
import { startPostgresServer } from "../src/testing/index.ts";

type BenchRow = { group: string; name: string; value: number; unit: string; note?: string };

const envInt = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const DIMS = envInt("BENCH_STORAGE_DIMS", 1024);
const PG_BOTS = envInt("BENCH_STORAGE_PG_BOTS", 100);
const PGLITE_BOTS = envInt("BENCH_STORAGE_PGLITE_BOTS", 10);
const CHUNKS = envInt("BENCH_STORAGE_CHUNKS_PER_BOT", 1000);
const PG_RUNS = envInt("BENCH_STORAGE_PG_RUNS", 4000);
const PGLITE_RUNS = envInt("BENCH_STORAGE_PGLITE_RUNS", 1000);
const QUERIES = envInt("BENCH_STORAGE_QUERIES", 200);
const CONCURRENT_RUNS = 8;

/** mulberry32: reproducible vectors. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function randomVector(random: () => number): number[] {
  const v = new Array<number>(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = random() * 2 - 1;
  return v;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * p;
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

function cosine(a: readonly number[], b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

async function recordRuns(storage: Storage, botId: string, runs: number): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      next++;
      const runId = randomUUID();
      const startedAt = new Date();
      await storage.recorder.runStarted({ runId, botId, trigger: "api", inputs: { query: "q" }, startedAt });
      for (let step = 1; step <= 4; step++) {
        await storage.recorder.nodeFinished({
          runId,
          nodeId: `n${step}`,
          nodeType: "template",
          stepIndex: step,
          status: "succeeded",
          inputs: { query: "q" },
          outputs: { text: "some output text of a node" },
          processData: {},
          attempts: 1,
          tokens: { input: 0, output: 0 },
          elapsedMs: 1,
          startedAt,
          finishedAt: new Date(),
        });
      }
      await storage.recorder.runFinished({
        runId,
        status: "succeeded",
        outputs: { answer: "a" },
        totalSteps: 4,
        tokens: { input: 0, output: 0 },
        elapsedMs: 1,
        finishedAt: new Date(),
      });
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT_RUNS }, worker));
  return runs / ((performance.now() - t0) / 1000);
}

interface SearchFigures {
  readonly ingestRowsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly recall: number;
}

async function ingestAndSearch(storage: Storage, bots: number, seed: number): Promise<SearchFigures> {
  const random = prng(seed);
  const target = Math.floor(bots / 2);
  let targetBotId = "";
  let targetVectors: Float32Array[] = [];
  let ingestMs = 0;
  for (let b = 0; b < bots; b++) {
    const bot = await storage.bots.create({ name: `bench-${b}` });
    const chunks: ChunkRecord[] = Array.from({ length: CHUNKS }, (_, i) => ({
      documentId: `doc-${Math.floor(i / 100)}`,
      chunkIndex: i,
      content: `chunk ${i} of bot ${b}: some text of a typical chunk length, a couple of sentences long.`,
      metadata: { page: i % 20 },
      embedding: randomVector(random),
    }));
    const t0 = performance.now();
    await storage.vectors.upsert(bot.id, chunks);
    ingestMs += performance.now() - t0;
    if (b === target) {
      targetBotId = bot.id;
      targetVectors = chunks.map((c) => Float32Array.from(c.embedding));
    }
  }
  await sql`ANALYZE document_embeddings`.execute(storage.database.db);

  const latencies: number[] = [];
  let hits = 0;
  for (let q = 0; q < QUERIES; q++) {
    // A query near one stored chunk, so the true top-5 has a clear leader and near ties elsewhere.
    const base = targetVectors[Math.floor(random() * targetVectors.length)]!;
    const query = Array.from(base, (x) => x + (random() * 2 - 1) * 0.8);
    const t0 = performance.now();
    const found = await storage.vectors.search(targetBotId, query, { topK: 5 });
    latencies.push(performance.now() - t0);
    const exact = targetVectors
      .map((v, i) => ({ i, s: cosine(query, v) }))
      .sort((x, y) => y.s - x.s)
      .slice(0, 5)
      .map((x) => x.i);
    const foundIdx = new Set(found.map((f) => f.chunkIndex));
    hits += exact.filter((i) => foundIdx.has(i)).length;
  }
  latencies.sort((a, b) => a - b);
  return {
    ingestRowsPerSecond: (bots * CHUNKS) / (ingestMs / 1000),
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    recall: hits / (QUERIES * 5),
  };
}

const noValidation = () => ({ ok: true, problems: [] });

async function benchPGlite(rows: BenchRow[]): Promise<void> {
  const group = "storage/pglite";
  const dir = mkdtempSync(join(tmpdir(), "portflow-bench-pglite-"));
  try {
    const rssBefore = process.memoryUsage().rss;
    let t0 = performance.now();
    const database = await openDatabase({ dataDir: dir, embeddingDimensions: DIMS });
    const startMs = performance.now() - t0;
    rows.push({ group, name: "start (new data dir, with migrations)", value: startMs, unit: "ms" });
    const storage = createStorage(database, { validate: noValidation });
    const bot = await storage.bots.create({ name: "recording" });
    rows.push({
      group,
      name: `runs recorded (4 node executions, ${CONCURRENT_RUNS} concurrent)`,
      value: await recordRuns(storage, bot.id, PGLITE_RUNS),
      unit: "runs/s",
      note: `${PGLITE_RUNS} runs`,
    });
    const figures = await ingestAndSearch(storage, PGLITE_BOTS, 7);
    const size = `${PGLITE_BOTS} bots × ${CHUNKS} chunks × ${DIMS} dims`;
    rows.push({
      group,
      name: "chunk ingest (binary COPY)",
      value: figures.ingestRowsPerSecond,
      unit: "rows/s",
      note: size,
    });
    rows.push({ group, name: "top-5 search p50 (one bot, exact)", value: figures.p50, unit: "ms", note: size });
    rows.push({ group, name: "top-5 search p95 (one bot, exact)", value: figures.p95, unit: "ms", note: size });
    rows.push({ group, name: "top-5 recall vs brute force", value: figures.recall, unit: "ratio", note: size });
    rows.push({
      group,
      name: `process RSS after ingesting ${PGLITE_BOTS * CHUNKS} chunks`,
      value: process.memoryUsage().rss / 2 ** 20,
      unit: "MiB",
      note: `${(rssBefore / 2 ** 20).toFixed(0)} MiB before PGlite started`,
    });
    await storage.close();
    t0 = performance.now();
    const reopened = await openDatabase({ dataDir: dir, embeddingDimensions: DIMS });
    rows.push({ group, name: "start (existing data dir)", value: performance.now() - t0, unit: "ms" });
    await reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(rows: BenchRow[]): Promise<void> {
  const group = "storage/postgres";
  const server = await startPostgresServer({ required: false });
  if (!server) {
    rows.push({ group, name: "skipped: PostgreSQL with pgvector not installed", value: Number.NaN, unit: "" });
    return;
  }
  try {
    const database = await openDatabase({ databaseUrl: server.url, embeddingDimensions: DIMS, maxConnections: 10 });
    const storage = createStorage(database, { validate: noValidation });
    const bot = await storage.bots.create({ name: "recording" });
    rows.push({
      group,
      name: `runs recorded (4 node executions, ${CONCURRENT_RUNS} concurrent)`,
      value: await recordRuns(storage, bot.id, PG_RUNS),
      unit: "runs/s",
      note: `PostgreSQL ${server.major}, ${PG_RUNS} runs; target ≥ 1,000`,
    });
    const figures = await ingestAndSearch(storage, PG_BOTS, 11);
    const size = `${PG_BOTS} bots × ${CHUNKS} chunks × ${DIMS} dims`;
    rows.push({
      group,
      name: "chunk ingest (binary COPY)",
      value: figures.ingestRowsPerSecond,
      unit: "rows/s",
      note: `${size}; target ≥ 10,000`,
    });
    rows.push({
      group,
      name: "top-5 search p50 (one bot, exact)",
      value: figures.p50,
      unit: "ms",
      note: `${size}; target ≤ 2 ms`,
    });
    rows.push({ group, name: "top-5 search p95 (one bot, exact)", value: figures.p95, unit: "ms", note: size });
    rows.push({
      group,
      name: "top-5 recall vs brute force",
      value: figures.recall,
      unit: "ratio",
      note: `${size}; target 1.0`,
    });
    await storage.close();
  } finally {
    await server.stop();
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  await benchPGlite(rows); // first, so its RSS figure is not inflated by the server half
  await benchPostgres(rows);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows = await bench();
  for (const row of rows) {
    const value = Number.isFinite(row.value) ? row.value.toFixed(row.value >= 100 ? 0 : 2) : "-";
    console.log(
      `${row.group.padEnd(18)} ${row.name.padEnd(52)} ${value.padStart(10)} ${row.unit.padEnd(7)} ${row.note ?? ""}`,
    );
  }
}
