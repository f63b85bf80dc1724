/**
 * The exact vector search on a real PostgreSQL server as the bench sizes a bot's rows (1024
 * dimensions, one chunk per page, many bots in the table): `nearest_chunks` (migration 0018)
 * returns what the inline statement it replaced returned, and reads the bot's rows by index
 * scan where the planner would otherwise build a bitmap.
 */
import type { ChunkRecord } from "@portflow/engine";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type StorageDatabase } from "./open-database.ts";
import { binaryVector, PgVectorStore } from "./pg-vector-store.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

const DIMENSIONS = 1024;
const BOTS = 30;
const CHUNKS = 300;

// plans of every statement, nested ones too, in the server log that the test reads back
const server = await startPostgresServer({
  settings: {
    logging_collector: "on",
    log_directory: "log",
    log_filename: "server.log",
    session_preload_libraries: "auto_explain",
    "auto_explain.log_min_duration": 0,
    "auto_explain.log_nested_statements": "on",
  },
});

/** mulberry32 */
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

/** What `search` ran before migration 0018, for the side-by-side comparison. */
async function inlineSearch(database: StorageDatabase, botId: string, query: number[], k: number, page?: number) {
  const filter = page === undefined ? sql`` : sql`AND metadata @> ${JSON.stringify({ page })}::jsonb`;
  const { rows } = await sql<{ document_id: string; chunk_index: number; content: string; distance: number }>`
    WITH nearest AS MATERIALIZED (
      SELECT ctid AS row_id, document_id, chunk_index, embedding <=> ${binaryVector(query)}::vector AS distance
      FROM document_embeddings
      WHERE bot_id = ${botId} ${filter}
      ORDER BY distance, document_id, chunk_index
      LIMIT ${k}
    )
    SELECT n.document_id, n.chunk_index, e.content, n.distance
    FROM nearest n JOIN document_embeddings e ON e.ctid = n.row_id
    ORDER BY n.distance, n.document_id, n.chunk_index`.execute(database.db);
  return rows.map((r) => `${r.document_id}#${r.chunk_index} ${r.content} ${1 - Number(r.distance)}`);
}

describe.skipIf(server === undefined)("exact vector search through nearest_chunks (migration 0018)", () => {
  let database: StorageDatabase;
  let store: PgVectorStore;
  const botIds: string[] = [];
  const random = prng(18);
  const vector = () => Array.from({ length: DIMENSIONS }, () => random() * 2 - 1);

  beforeAll(async () => {
    database = await openDatabase({ databaseUrl: server!.url, embeddingDimensions: DIMENSIONS, maxConnections: 4 });
    store = new PgVectorStore(database, { hnsw: { minChunks: 0 } });
    for (let b = 0; b < BOTS; b++) {
      const { rows } = await sql<{ id: string }>`INSERT INTO bots (name) VALUES (${`bot-${b}`}) RETURNING id`.execute(
        database.db,
      );
      const botId = rows[0]!.id;
      botIds.push(botId);
      const embeddings: number[][] = [];
      // every fifth chunk repeats the one before: ties, broken by document and chunk index
      for (let i = 0; i < CHUNKS; i++) embeddings.push(i % 5 === 4 ? embeddings[i - 1]! : vector());
      const chunks: ChunkRecord[] = embeddings.map((embedding, i) => ({
        documentId: `doc-${i % 7}`,
        chunkIndex: i,
        content: `chunk ${i}`,
        metadata: { page: i % 4 },
        embedding,
      }));
      await store.upsert(botId, chunks);
    }
    await sql`ANALYZE document_embeddings`.execute(database.db);
  }, 120_000);

  afterAll(async () => {
    await database?.close();
    await server?.stop();
  });

  it("returns the rows, order and scores of the inline statement it replaced, with and without a filter", async () => {
    const botId = botIds[5]!;
    for (let q = 0; q < 20; q++) {
      const query = vector();
      const k = [1, 5, 20, 200][q % 4]!;
      const page = q % 3 === 0 ? q % 4 : undefined;
      const found = await store.search(botId, query, { topK: k, ...(page === undefined ? {} : { filter: { page } }) });
      const expected = await inlineSearch(database, botId, query, k, page);
      expect(found.map((h) => `${h.documentId}#${h.chunkIndex} ${h.content} ${h.score}`)).toEqual(expected);
    }
  });

  it("reads the bot's rows by an index scan where the same statement inline is planned as a bitmap heap scan", async () => {
    const botId = botIds[7]!;
    const logged = async () => {
      const { rows } = await sql<{ log: string }>`SELECT pg_read_file(pg_current_logfile()) AS log`.execute(
        database.db,
      );
      return rows[0]!.log;
    };
    // the logging collector writes behind: a marker statement's plan is awaited in the file
    const marker = async (label: string) => {
      await sql`SELECT ${sql.lit(label)} AS marker`.execute(database.db);
      for (let attempt = 0; attempt < 500; attempt++) {
        const at = (await logged()).lastIndexOf(label);
        if (at >= 0) return at;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`${label} never reached the server log`);
    };
    const plansBetween = async (run: () => Promise<unknown>) => {
      const from = await marker(`before-${Math.random()}`);
      await run();
      const to = await marker(`after-${Math.random()}`);
      return (await logged()).slice(from, to);
    };
    // prepared statements switch to their generic plans after five executions
    const inline = await plansBetween(async () => {
      for (let i = 0; i < 8; i++) await inlineSearch(database, botId, vector(), 5);
    });
    expect(inline).toContain("Bitmap Heap Scan on document_embeddings");
    const exact = await plansBetween(async () => {
      for (let i = 0; i < 8; i++) await store.search(botId, vector(), { topK: 5 });
    });
    expect(exact).toContain("Index Scan using document_embeddings_bot_idx on document_embeddings");
    expect(exact).not.toContain("Bitmap Heap Scan");
  });
});
