/**
 * Measuring a bot's HNSW index on a real PostgreSQL server (migration 0020): a bot's searches go
 * through its index only once the index has shown the policy's recall on queries near the bot's
 * own chunks; a bot whose index cannot show it keeps exact search, and every process follows the
 * stored measurement.
 */
import type { ChunkRecord, RetrievedChunk } from "@portflow/engine";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { efSearchLadder } from "./hnsw-calibration.ts";
import type { HnswPolicy } from "./hnsw-policy.ts";
import { openDatabase, type StorageDatabase } from "./open-database.ts";
import { botHnswIndexName, calibrationLockName, PgVectorStore } from "./pg-vector-store.ts";
import { prng } from "./prng.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

// 256 dimensions: uniform random vectors there are hard for a small ef_search (recall 0.56 at 5)
const DIMENSIONS = 256;
const CHUNKS = 3_000;

const server = await startPostgresServer();
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(server === undefined)("measuring a bot's HNSW index before its searches use it", () => {
  let database: StorageDatabase;
  let databaseUrl: string;
  const random = prng(20);
  const uniform = () => Array.from({ length: DIMENSIONS }, () => random() * 2 - 1);
  const centroids = Array.from({ length: 30 }, uniform);
  /** Around 30 centroids, as real embeddings fall into topics. */
  const clustered = () => centroids[Math.floor(random() * centroids.length)]!.map((x) => x + (random() * 2 - 1) * 0.6);
  const chunks = (count: number, vector: () => number[], from = 0): ChunkRecord[] =>
    Array.from({ length: count }, (_, i) => ({
      documentId: `doc-${(from + i) % 9}`,
      chunkIndex: from + i,
      content: `chunk ${from + i}`,
      metadata: {},
      embedding: vector(),
    }));
  const newBot = async (name: string) =>
    (await sql<{ id: string }>`INSERT INTO bots (name) VALUES (${name}) RETURNING id`.execute(database.db)).rows[0]!.id;
  const store = (policy: Partial<HnswPolicy>) => new PgVectorStore(database, { hnsw: { minChunks: 0, ...policy } });
  /** The bot's index as a version before migration 0020 built it: the index alone, never measured. */
  const indexWithoutMeasurement = async (bot: string) =>
    sql`CREATE INDEX ${sql.id(botHnswIndexName(bot))} ON document_embeddings USING hnsw (embedding vector_cosine_ops)
        WHERE bot_id = ${sql.lit(bot)}`.execute(database.db);
  const answer = (found: RetrievedChunk[]) => found.map((f) => `${f.documentId}#${f.chunkIndex} ${f.score}`);

  beforeAll(async () => {
    databaseUrl = await server!.createDatabase("calibration");
    database = await openDatabase({
      databaseUrl,
      embeddingDimensions: DIMENSIONS,
      maxConnections: 4,
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("a bot reaching minChunks gets its index built and measured; reaching the recall at the policy's ef_search, its searches go through it there", async () => {
    const bot = await newBot("clustered");
    const policy = new PgVectorStore(database, { hnsw: { minChunks: 2_500 } });
    for (let from = 0; from < CHUNKS; from += 500) await policy.upsert(bot, chunks(500, clustered, from));
    await policy.indexBuilds();
    const calibration = await policy.hnswCalibration(bot);
    expect(calibration).toMatchObject({ search: "index", efSearch: 100, queries: 50 });
    // measured when the build finished: the load that crossed minChunks, or a later one
    expect(calibration!.chunks).toBeGreaterThanOrEqual(2_500);
    expect(calibration!.recall).toBeGreaterThanOrEqual(0.95);
    expect(calibration!.rungs.map((r) => r.efSearch)).toEqual([100]);
    expect(calibration!.exactP50Ms).toBeGreaterThan(0);
    expect((await policy.indexStatus(bot)).searches).toEqual({ through: "index", efSearch: 100 });
  });

  it("the ladder doubles ef_search until the recall is reached, and stops there", async () => {
    const bot = await newBot("ladder");
    const measuring = store({ efSearch: 2, maxEfSearch: 1_000, candidateFactor: 1 });
    await measuring.upsert(bot, chunks(CHUNKS, uniform));
    await sql`ANALYZE document_embeddings`.execute(database.db);
    await measuring.createBotHnswIndex(bot);
    const calibration = (await measuring.hnswCalibration(bot))!;
    const tried = calibration.rungs.map((r) => r.efSearch);
    expect(tried).toEqual(efSearchLadder(2, 1_000).slice(0, tried.length));
    // on uniform vectors ef_search 2 and 4 miss neighbours (0.45–0.6 measured): more than one rung
    expect(tried.length).toBeGreaterThan(1);
    expect(calibration.rungs.slice(0, -1).every((r) => r.recall < 0.95)).toBe(true);
    expect(calibration).toMatchObject({ search: "index", efSearch: tried.at(-1) });
    expect(calibration.recall).toBeGreaterThanOrEqual(0.95);
  });

  it("a bot whose index misses its neighbours keeps exact search, in this process and in another", async () => {
    const bot = await newBot("uniform");
    const loose = store({ efSearch: 5, maxEfSearch: 10, candidateFactor: 1, minRecall: 0.3 });
    await loose.upsert(bot, chunks(CHUNKS, uniform));
    await sql`ANALYZE document_embeddings`.execute(database.db);
    const queries = Array.from({ length: 30 }, uniform);
    const exact: string[][] = [];
    for (const q of queries) exact.push(answer(await loose.search(bot, q, { topK: 5 })));

    // content with recall 0.3, the index is used at ef_search 5: some answers are not the exact ones
    await loose.createBotHnswIndex(bot);
    expect(await loose.hnswCalibration(bot)).toMatchObject({ search: "index", efSearch: 5 });
    const throughIndex: string[][] = [];
    for (const q of queries) throughIndex.push(answer(await loose.search(bot, q, { topK: 5 })));
    expect(throughIndex.filter((a, i) => a.join() !== exact[i]!.join()).length).toBeGreaterThan(0);

    // measured again wanting 0.95: ef_search 5 and 10 fall short, so the bot is searched exactly
    const strict = store({ efSearch: 5, maxEfSearch: 10, candidateFactor: 1, minRecall: 0.95 });
    await strict.createBotHnswIndex(bot);
    const calibration = (await strict.hnswCalibration(bot))!;
    expect(calibration).toMatchObject({ search: "exact", efSearch: 10 });
    expect(calibration.rungs.map((r) => r.efSearch)).toEqual([5, 10]);
    expect(calibration.recall).toBeLessThan(0.95);
    for (const [i, q] of queries.entries()) expect(answer(await strict.search(bot, q, { topK: 5 }))).toEqual(exact[i]);
    // a process that has not seen this bot before follows the stored measurement
    const another = store({ efSearch: 5, maxEfSearch: 10, candidateFactor: 1, minRecall: 0.95 });
    for (const [i, q] of queries.entries()) expect(answer(await another.search(bot, q, { topK: 5 }))).toEqual(exact[i]);
    // the index itself is still there, valid, for a later measurement
    const { rows } = await sql<{ valid: boolean }>`
      SELECT i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
      WHERE c.relname = ${botHnswIndexName(bot)}`.execute(database.db);
    expect(rows).toEqual([{ valid: true }]);
  });

  it("an index nobody has measured (built before migration 0020) is searched exactly until its first search has it measured", async () => {
    const bot = await newBot("older");
    const measuring = store({ efSearch: 5, maxEfSearch: 5, candidateFactor: 1, minRecall: 0.95 });
    await measuring.upsert(bot, chunks(1_000, uniform));
    await sql`ANALYZE document_embeddings`.execute(database.db);
    const q = uniform();
    const exact = answer(await measuring.search(bot, q, { topK: 5 }));
    await indexWithoutMeasurement(bot);
    const fresh = store({ efSearch: 5, maxEfSearch: 5, candidateFactor: 1, minRecall: 0.95 });
    expect(answer(await fresh.search(bot, q, { topK: 5 }))).toEqual(exact);
    await fresh.indexBuilds();
    expect(await fresh.hnswCalibration(bot)).toMatchObject({ efSearch: 5, queries: 50, chunks: 1_000 });
  });

  it("a process finding the index unmeasured while another measures it leaves it to that one", async () => {
    const bot = await newBot("shared");
    const policy = { efSearch: 5, maxEfSearch: 5, candidateFactor: 1, minRecall: 0.95 };
    await store(policy).upsert(bot, chunks(500, clustered));
    await indexWithoutMeasurement(bot);
    // another process, measuring: it holds the bot's lock in a session of its own
    const other = new pg.Client({ connectionString: databaseUrl });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [calibrationLockName(bot)]);
      const waiting = store(policy);
      expect(await waiting.search(bot, clustered(), { topK: 5 })).toHaveLength(5);
      await waiting.indexBuilds(); // it tried the lock and went on
      expect(await waiting.hnswCalibration(bot)).toBeUndefined();
    } finally {
      await other.end(); // its session ends, and the lock with it
    }
    const next = store(policy);
    await next.search(bot, clustered(), { topK: 5 });
    await next.indexBuilds();
    expect(await next.hnswCalibration(bot)).toMatchObject({ chunks: 500, queries: 50 });
  });

  it("a bot that doubles since its index was measured is measured again; dropping the index forgets the measurement", async () => {
    const bot = await newBot("growing");
    const policy = new PgVectorStore(database, { hnsw: { minChunks: 1_000, bulkLoadRows: 100_000 } });
    await policy.upsert(bot, chunks(1_000, clustered));
    await policy.indexBuilds();
    const first = (await policy.hnswCalibration(bot))!;
    expect(first.chunks).toBe(1_000);
    await policy.upsert(bot, chunks(900, clustered, 1_000));
    await policy.indexBuilds();
    expect(await policy.hnswCalibration(bot)).toEqual(first);
    await policy.upsert(bot, chunks(100, clustered, 1_900));
    await policy.indexBuilds();
    const second = (await policy.hnswCalibration(bot))!;
    expect(second.chunks).toBe(2_000);
    expect(second.measuredAt.getTime()).toBeGreaterThan(first.measuredAt.getTime());

    await policy.dropBotHnswIndex(bot);
    expect(await policy.hnswCalibration(bot)).toBeUndefined();
  });
});
