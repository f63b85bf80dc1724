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
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChunkRecord } from "@portflow/engine";
import { sql } from "kysely";
import pg from "pg";
import { BinaryCopyWriter } from "../src/binary-copy-writer.ts";
import { createStorage, openDatabase, type Storage } from "../src/index.ts";
import { binaryVector, compactVectorText } from "../src/pg-vector-store.ts";
import { toJsonb } from "../src/stored-json.ts";
import { startPostgresServer } from "../src/testing/index.ts";
import { chunkText, randomVector, vocabulary } from "./bench-corpus.ts";
import { envInt, percentile, prng } from "./bench-math.ts";
import { benchHnswAtScale } from "./hnsw-at-scale.ts";
import { benchStatistics } from "./statistics-bench.ts";

type BenchRow = { group: string; name: string; value: number; unit: string; note?: string };

const DIMS = envInt("BENCH_STORAGE_DIMS", 1024);
const PG_BOTS = envInt("BENCH_STORAGE_PG_BOTS", 100);
const PGLITE_BOTS = envInt("BENCH_STORAGE_PGLITE_BOTS", 10);
const CHUNKS = envInt("BENCH_STORAGE_CHUNKS_PER_BOT", 1000);
const PG_RUNS = envInt("BENCH_STORAGE_PG_RUNS", 4000);
const PGLITE_RUNS = envInt("BENCH_STORAGE_PGLITE_RUNS", 1000);
const QUERIES = envInt("BENCH_STORAGE_QUERIES", 200);
const CONCURRENT_RUNS = 8;

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

/** Runs per second recorded through the PgRunRecorder: 4 node executions each, 8 concurrent. */
export async function recordRuns(storage: Storage, botId: string, runs: number): Promise<number> {
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
  /** The same chunks loaded into `document_embeddings` alone (no keyword index), interleaved with the real ingest. */
  readonly ingestWithoutKeywordsRowsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly recall: number;
  /** Keyword (BM25) top-5 alone, and hybrid: vector + keyword top-20 concurrently, fused by RRF, top 5. */
  readonly keywordP50: number;
  readonly hybridP50: number;
  readonly hybridP95: number;
  /** The searched bot and queries near its chunks, for the query-vector transfer figures. */
  readonly targetBotId: string;
  readonly sampleQueries: readonly number[][];
}

/** Reciprocal rank fusion (k 60) of two rankings, as the knowledge node does in process. */
function fuse(a: readonly { documentId: string; chunkIndex: number }[], b: typeof a, topK: number) {
  const scores = new Map<string, number>();
  for (const list of [a, b]) {
    list.forEach((c, i) => {
      const key = `${c.documentId}#${c.chunkIndex}`;
      scores.set(key, (scores.get(key) ?? 0) + 1 / (60 + i + 1));
    });
  }
  return [...scores.entries()].sort((x, y) => y[1] - x[1]).slice(0, topK);
}

/** Bots whose chunks are also loaded without the keyword index, for the side-by-side ingest figure. */
const BASELINE_BOTS = 10;
const EMBEDDING_COLUMNS = ["bot_id", "document_id", "chunk_index", "content", "metadata", "embedding"];

/** What `upsert` did before the keyword index: one binary COPY into `document_embeddings`, nothing else. */
async function loadWithoutKeywords(storage: Storage, botId: string, chunks: readonly ChunkRecord[]): Promise<void> {
  await storage.database.withRawTransaction(async (session) => {
    const writer = new BinaryCopyWriter(chunks.length * (DIMS * 4 + 512));
    for (const c of chunks) {
      writer
        .row(EMBEDDING_COLUMNS.length)
        .text(botId)
        .text(c.documentId)
        .int4(c.chunkIndex)
        .text(c.content)
        .jsonb(toJsonb(c.metadata ?? {}))
        .vector(c.embedding);
    }
    await session.copyFromBinary("document_embeddings", EMBEDDING_COLUMNS, writer.finish());
  });
}

async function ingestAndSearch(storage: Storage, bots: number, seed: number): Promise<SearchFigures> {
  const random = prng(seed);
  const target = Math.floor(bots / 2);
  let targetBotId = "";
  let targetVectors: Float32Array[] = [];
  let targetTexts: string[] = [];
  let ingestMs = 0;
  let baselineMs = 0;
  let baselineRows = 0;
  const scratchBots: string[] = [];
  const words = vocabulary(random);
  for (let b = 0; b < bots; b++) {
    const bot = await storage.bots.create({ name: `bench-${b}` });
    const chunks: ChunkRecord[] = Array.from({ length: CHUNKS }, (_, i) => ({
      documentId: `doc-${Math.floor(i / 100)}`,
      chunkIndex: i,
      content: chunkText(words, random),
      metadata: { page: i % 20 },
      embedding: randomVector(random, DIMS),
    }));
    if (b < BASELINE_BOTS) {
      // interleaved with the real ingest, so a loaded machine slows both alike
      const scratch = await storage.bots.create({ name: `bench-baseline-${b}` });
      const t = performance.now();
      await loadWithoutKeywords(storage, scratch.id, chunks);
      baselineMs += performance.now() - t;
      baselineRows += chunks.length;
      scratchBots.push(scratch.id);
    }
    const t0 = performance.now();
    await storage.vectors.upsert(bot.id, chunks);
    ingestMs += performance.now() - t0;
    if (b === target) {
      targetBotId = bot.id;
      targetVectors = chunks.map((c) => Float32Array.from(c.embedding));
      targetTexts = chunks.map((c) => c.content);
    }
  }
  for (const id of scratchBots) await storage.bots.delete(id);
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

  const keywordLatencies: number[] = [];
  const hybridLatencies: number[] = [];
  for (let q = 0; q < QUERIES; q++) {
    // a question of four words of one chunk, and a vector near that chunk
    const target = Math.floor(random() * targetVectors.length);
    const text = targetTexts[target]!.split(" ");
    const question = Array.from({ length: 4 }, () => text[Math.floor(random() * text.length)]).join(" ");
    const vector = Array.from(targetVectors[target]!, (x) => x + (random() * 2 - 1) * 0.8);
    let t0 = performance.now();
    await storage.vectors.keywordSearch(targetBotId, question, { topK: 5 });
    keywordLatencies.push(performance.now() - t0);
    t0 = performance.now();
    const [byVector, byKeyword] = await Promise.all([
      storage.vectors.search(targetBotId, vector, { topK: 20 }),
      storage.vectors.keywordSearch(targetBotId, question, { topK: 20 }),
    ]);
    fuse(byVector, byKeyword, 5);
    hybridLatencies.push(performance.now() - t0);
  }
  keywordLatencies.sort((a, b) => a - b);
  hybridLatencies.sort((a, b) => a - b);
  return {
    ingestRowsPerSecond: (bots * CHUNKS) / (ingestMs / 1000),
    ingestWithoutKeywordsRowsPerSecond: baselineRows / (baselineMs / 1000),
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    recall: hits / (QUERIES * 5),
    keywordP50: percentile(keywordLatencies, 0.5),
    hybridP50: percentile(hybridLatencies, 0.5),
    hybridP95: percentile(hybridLatencies, 0.95),
    targetBotId,
    sampleQueries: targetVectors.slice(0, QUERIES).map((v) => Array.from(v, (x) => x + (random() * 2 - 1) * 0.8)),
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
      note: `${size}; with the keyword index`,
    });
    rows.push({
      group,
      name: "chunk ingest without the keyword index",
      value: figures.ingestWithoutKeywordsRowsPerSecond,
      unit: "rows/s",
      note: `${BASELINE_BOTS} of the bots' chunks, interleaved; ${(figures.ingestWithoutKeywordsRowsPerSecond / figures.ingestRowsPerSecond).toFixed(1)}× the rate with it`,
    });
    rows.push({ group, name: "top-5 search p50 (one bot, exact)", value: figures.p50, unit: "ms", note: size });
    rows.push({ group, name: "top-5 search p95 (one bot, exact)", value: figures.p95, unit: "ms", note: size });
    rows.push({ group, name: "top-5 recall vs brute force", value: figures.recall, unit: "ratio", note: size });
    rows.push({ group, name: "keyword top-5 p50 (BM25)", value: figures.keywordP50, unit: "ms", note: size });
    rows.push({
      group,
      name: "hybrid top-5 p50 (vector + keyword, RRF)",
      value: figures.hybridP50,
      unit: "ms",
      note: size,
    });
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
      note: `${size}; with the keyword index; target ≥ 10,000`,
    });
    rows.push({
      group,
      name: "chunk ingest without the keyword index",
      value: figures.ingestWithoutKeywordsRowsPerSecond,
      unit: "rows/s",
      note: `${BASELINE_BOTS} of the bots' chunks, interleaved; ${(figures.ingestWithoutKeywordsRowsPerSecond / figures.ingestRowsPerSecond).toFixed(1)}× the rate with it`,
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
    rows.push({ group, name: "keyword top-5 p50 (BM25)", value: figures.keywordP50, unit: "ms", note: size });
    rows.push({
      group,
      name: "hybrid top-5 p50 (vector + keyword, RRF)",
      value: figures.hybridP50,
      unit: "ms",
      note: `${size}; target ≤ 3 ms; vector-only top-5 p50 ${figures.p50.toFixed(2)} ms in the same run; load ${loadavg()[0]!.toFixed(1)} on 2 cores`,
    });
    rows.push({ group, name: "hybrid top-5 p95", value: figures.hybridP95, unit: "ms", note: size });
    await queryVectorTransfer(storage, server.url, figures, rows);
    // the same load with PostgreSQL's default TOAST target, to show what migration 0008 buys
    // keyword_postings has no foreign key (its triggers keep it): truncated by name
    await sql`TRUNCATE document_embeddings, keyword_postings CASCADE`.execute(storage.database.db);
    await sql`ALTER TABLE document_embeddings RESET (toast_tuple_target)`.execute(storage.database.db);
    const untuned = await ingestAndSearch(storage, PG_BOTS, 11);
    rows.push({
      group,
      name: "top-5 search p50, default toast_tuple_target",
      value: untuned.p50,
      unit: "ms",
      note: `${size}; ${figures.p50.toFixed(2)} ms with 8160 (migration 0008)`,
    });
    await storage.close();
  } finally {
    await server.stop();
  }
}

/**
 * Exact top-5 p50 three ways on the same queries, interleaved: the store (query vector as a
 * binary parameter), the same statement through Kysely with the vector as text (the store
 * before), and the same statement sent raw through a plain `pg` client (binary vector, rows not
 * mapped): what the search costs without the store around it.
 */
async function queryVectorTransfer(
  storage: Storage,
  url: string,
  figures: SearchFigures,
  rows: BenchRow[],
): Promise<void> {
  const group = "storage/postgres";
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const botId = figures.targetBotId;
    const store: number[] = [];
    const text: number[] = [];
    const raw: number[] = [];
    for (const q of figures.sampleQueries) {
      let t0 = performance.now();
      await storage.vectors.search(botId, q, { topK: 5 });
      store.push(performance.now() - t0);
      t0 = performance.now();
      await sql`
        SELECT document_id, chunk_index, content, metadata, embedding <=> ${compactVectorText(q)}::vector AS distance
        FROM document_embeddings WHERE bot_id = ${botId} ORDER BY distance LIMIT 5`.execute(storage.database.db);
      text.push(performance.now() - t0);
      t0 = performance.now();
      await client.query(
        `SELECT document_id, chunk_index, content, metadata, embedding <=> $2::vector AS distance
         FROM document_embeddings WHERE bot_id = $1 ORDER BY distance LIMIT 5`,
        [botId, binaryVector(q)],
      );
      raw.push(performance.now() - t0);
    }
    const p50 = (xs: number[]) =>
      percentile(
        xs.sort((a, b) => a - b),
        0.5,
      );
    const [storeP50, textP50, rawP50] = [p50(store), p50(text), p50(raw)];
    const note = `p50 ${storeP50.toFixed(2)} ms store / ${textP50.toFixed(2)} ms text vector / ${rawP50.toFixed(2)} ms raw; load ${loadavg()[0]!.toFixed(1)} on 2 cores`;
    rows.push({
      group,
      name: "exact search: store (binary vector) / raw SQL",
      value: storeP50 / rawP50,
      unit: "ratio",
      note,
    });
    rows.push({
      group,
      name: "exact search: text-literal vector (before) / raw SQL",
      value: textP50 / rawP50,
      unit: "ratio",
      note,
    });
    // the vector alone: formatted, sent and parsed, no search (interleaved, 20 rounds per query)
    const textOnly: number[] = [];
    const binaryOnly: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const q of figures.sampleQueries) {
        let t0 = performance.now();
        await client.query("SELECT vector_dims($1::vector)", [compactVectorText(q)]);
        textOnly.push(performance.now() - t0);
        t0 = performance.now();
        await client.query("SELECT vector_dims($1::vector)", [binaryVector(q)]);
        binaryOnly.push(performance.now() - t0);
      }
    }
    const [textOnlyP50, binaryOnlyP50] = [p50(textOnly), p50(binaryOnly)];
    rows.push({
      group,
      name: "query vector alone (formatted, sent, parsed): text / binary",
      value: textOnlyP50 / binaryOnlyP50,
      unit: "ratio",
      note: `p50 ${(textOnlyP50 * 1000).toFixed(0)} µs text / ${(binaryOnlyP50 * 1000).toFixed(0)} µs binary, ${DIMS} dims; load ${loadavg()[0]!.toFixed(1)} on 2 cores`,
    });
  } finally {
    await client.end();
  }
}

async function benchHnsw(rows: BenchRow[]): Promise<void> {
  // a production-like buffer cache: the 100k-chunk table and its graph are ~1 GB
  const server = await startPostgresServer({ required: false, settings: { shared_buffers: "1GB" } });
  if (!server) {
    rows.push({
      group: "storage/pg-hnsw",
      name: "skipped: PostgreSQL with pgvector not installed",
      value: Number.NaN,
      unit: "",
    });
    return;
  }
  try {
    await benchHnswAtScale(server, rows);
  } finally {
    await server.stop();
  }
}

/** `BENCH_STORAGE_BACKENDS=postgres` (or `pglite`, `statistics`) runs one part only; `hnsw` (one bot at 100,000 chunks, 40–60 min) runs only when named. */
const BACKENDS = (process.env.BENCH_STORAGE_BACKENDS ?? "pglite,postgres,statistics").split(",");

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // each figure as soon as it is measured, so a long run that is stopped still tells something
  const push = rows.push.bind(rows);
  rows.push = (...added: BenchRow[]) => {
    for (const r of added) process.stderr.write(`  ${r.group} ${r.name}: ${r.value.toFixed(2)} ${r.unit}\n`);
    return push(...added);
  };
  if (BACKENDS.includes("pglite")) await benchPGlite(rows); // first, so its RSS figure is not inflated by the server half
  if (BACKENDS.includes("postgres")) await benchPostgres(rows);
  if (BACKENDS.includes("statistics")) await benchStatistics(rows);
  if (BACKENDS.includes("hnsw")) await benchHnsw(rows);
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
