/**
 * The retrieval functions on a real PostgreSQL server, with a bot's rows sized as the bench
 * sizes them (1024 dimensions, one chunk per page, many bots in the table): `nearest_chunks`
 * (migration 0018) and `keyword_chunks` (0019) return what the inline statements they replaced
 * returned; the first reads the bot's rows by index scan where the planner would otherwise
 * build a bitmap, the second runs on a generic plan where the statement was planned anew on
 * every execution.
 */
import type { ChunkRecord } from "@portflow/engine";
import { BM25_B, BM25_K1, keywordQueryTerms } from "@portflow/engine";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type StorageDatabase } from "./open-database.ts";
import { binaryVector, PgVectorStore } from "./pg-vector-store.ts";
import { prng } from "./prng.ts";
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

/** What `keywordSearch` ran before migration 0019, for the side-by-side comparison. */
async function inlineKeywordSearch(database: StorageDatabase, botId: string, query: string, k: number) {
  const { rows } = await sql<{ document_id: string; chunk_index: number; content: string; score: number }>`
    WITH stats AS MATERIALIZED (
      SELECT chunks::float8 AS n, coalesce(nullif(tokens::numeric / nullif(chunks, 0), 0), 1)::float8 AS mean_length
      FROM keyword_statistics WHERE bot_id = ${botId}
    ), postings AS MATERIALIZED (
      SELECT term, document_id, chunk_indexes, term_frequencies, token_counts,
             sum(cardinality(chunk_indexes)) OVER (PARTITION BY term)::float8 AS df
      FROM keyword_postings
      WHERE bot_id = ${botId} AND term = ANY (${keywordQueryTerms(query)}::text[])
      ORDER BY term
    ), hits AS (
      SELECT ln(1 + (s.n - p.df + 0.5) / (p.df + 0.5)) AS idf, p.document_id,
             unnest(p.chunk_indexes) AS chunk_index, unnest(p.term_frequencies)::float8 AS tf,
             unnest(p.token_counts) AS token_count
      FROM postings p, stats s
    ), scored AS (
      SELECT h.document_id, h.chunk_index,
             sum(h.idf * h.tf * ${sql.lit(BM25_K1 + 1)}
                 / (h.tf + ${sql.lit(BM25_K1)} * (${sql.lit(1 - BM25_B)} + ${sql.lit(BM25_B)}::float8 * h.token_count / s.mean_length))) AS score
      FROM hits h, stats s
      GROUP BY h.document_id, h.chunk_index
    ), ranked AS (
      SELECT * FROM scored ORDER BY score DESC, document_id, chunk_index LIMIT ${k}
    )
    SELECT e.document_id, e.chunk_index, e.content, r.score
    FROM ranked r
    JOIN document_embeddings e
      ON e.bot_id = ${botId} AND e.document_id = r.document_id AND e.chunk_index = r.chunk_index
    ORDER BY r.score DESC, e.document_id, e.chunk_index`.execute(database.db);
  return rows.map((r) => `${r.document_id}#${r.chunk_index} ${r.content} ${r.score}`);
}

const WORDS = [
  ..."deploy rollback canary backup restore incident".split(" "),
  ...Array.from(
    { length: 300 },
    (_, i) =>
      `${"가나다라마바사아자차카타파하"[i % 14]}${"거너더러머버서어저처커터퍼허"[(i * 7) % 14]}${i % 3 === 0 ? "" : "고"}`,
  ),
];

describe.skipIf(server === undefined)("retrieval functions (migrations 0018, 0019)", () => {
  let database: StorageDatabase;
  let store: PgVectorStore;
  const botIds: string[] = [];
  const random = prng(18);
  const vector = () => Array.from({ length: DIMENSIONS }, () => random() * 2 - 1);
  // words drawn with a skew, as in real text: a few in most chunks, most in few
  const words = (count: number) =>
    Array.from({ length: count }, () => WORDS[Math.floor(random() ** 2 * WORDS.length)]!).join(" ");

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
        content: `chunk ${i} ${words(20 + (i % 30))}`,
        metadata: { page: i % 4 },
        embedding,
      }));
      await store.upsert(botId, chunks);
    }
    await sql`ANALYZE document_embeddings`.execute(database.db);
  }, 120_000);

  const logged = async () => {
    const { rows } = await sql<{ log: string }>`SELECT pg_read_file(pg_current_logfile()) AS log`.execute(database.db);
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

  /** Four words of each of a bot's first 20 chunks, as the bench asks. */
  const keywordQueries = async (botId: string) => {
    const { rows } = await sql<{ content: string }>`
      SELECT content FROM document_embeddings WHERE bot_id = ${botId} ORDER BY chunk_index LIMIT 20`.execute(
      database.db,
    );
    return rows.map(({ content }, q) => {
      const text = content.split(" ");
      return Array.from({ length: 4 }, (_, i) => text[(q * 5 + i * 3) % text.length]).join(" ");
    });
  };

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

  it("keyword search returns the rows, order and scores of the inline statement it replaced", async () => {
    for (const [q, query] of (await keywordQueries(botIds[3]!)).entries()) {
      const k = [1, 5, 20, 200][q % 4]!;
      const found = await store.keywordSearch(botIds[3]!, query, { topK: k });
      const expected = await inlineKeywordSearch(database, botIds[3]!, query, k);
      expect(expected.length).toBeGreaterThan(0);
      expect(found.map((h) => `${h.documentId}#${h.chunkIndex} ${h.content} ${h.score}`)).toEqual(expected);
    }
  });

  it("a filtered keyword search returns the unfiltered ranking's chunks that match, with the same scores to the bit", async () => {
    // the inline statement did not: without a top k before the join it could be planned with a
    // sorting aggregate, which summed some chunks' terms in another order (last-bit differences)
    for (const [q, query] of (await keywordQueries(botIds[4]!)).entries()) {
      const page = q % 4;
      const k = [5, 20, 200][q % 3]!;
      const all = await store.keywordSearch(botIds[4]!, query, { topK: 1_000 });
      const found = await store.keywordSearch(botIds[4]!, query, { topK: k, filter: { page } });
      const expected = all.filter((h) => h.metadata.page === page).slice(0, k);
      expect(expected.length).toBeGreaterThan(0);
      expect(found.map((h) => `${h.documentId}#${h.chunkIndex} ${h.score}`)).toEqual(
        expected.map((h) => `${h.documentId}#${h.chunkIndex} ${h.score}`),
      );
    }
  });

  it("keyword search runs on a generic plan from its first execution on a connection", async () => {
    // a prepared statement's first five executions on a connection are planned for their values
    const fresh = await openDatabase({ databaseUrl: server!.url, embeddingDimensions: DIMENSIONS, maxConnections: 1 });
    try {
      const freshStore = new PgVectorStore(fresh, { hnsw: { minChunks: 0 } });
      const queries = await keywordQueries(botIds[9]!);
      const plans = await plansBetween(async () => {
        for (const query of queries.slice(0, 8)) await freshStore.keywordSearch(botIds[9]!, query, { topK: 5 });
      });
      const postingScans = plans.match(/Index Cond: \(\(bot_id = [^\n]*/g) ?? [];
      expect(postingScans.filter((cond) => cond.includes("term = ANY")).length).toBe(8);
      for (const cond of postingScans) expect(cond).not.toContain("'");
    } finally {
      await fresh.close();
    }
  });

  it("reads the bot's rows by an index scan where the same statement inline is planned as a bitmap heap scan", async () => {
    const botId = botIds[7]!;
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
