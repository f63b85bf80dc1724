/**
 * The keyword postings (migration 0016) on whatever database the storage suite runs on: kept
 * equal to the chunks stored through every way chunks come and go, and backfilled by the
 * migration. Called from `describeStorageSuite`.
 */
import { randomUUID } from "node:crypto";
import type { ChunkRecord } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import type { Storage } from "./create-storage.ts";
import { migrateToLatest, storageMigrator } from "./migrate.ts";
import type { StorageDatabase } from "./open-database.ts";
import { PgVectorStore } from "./pg-vector-store.ts";
import { upsertWithoutPostings } from "./upsert-without-postings.ts";

const SYLLABLES = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호";
const QUERIES = ["환불 기간 canary", "배포 절차", "rollback deploy deploy", "가나 다라 마바 사아", "허고 노도"];

/** A chunk of Korean bigrams and English words; `seed` varies its terms, repeats and length. */
function chunk(documentId: string, chunkIndex: number, dimensions: number, seed: number): ChunkRecord {
  const words = Array.from({ length: 4 + (seed % 5) * 4 }, (_, i) => {
    const a = SYLLABLES[(seed * 5 + i * 3) % SYLLABLES.length];
    const b = SYLLABLES[(seed + i * 7) % SYLLABLES.length];
    return `${a}${b}`;
  });
  const english = ["deploy deploy", "rollback", "canary", "환불 기간", "배포 절차"][seed % 5];
  return {
    documentId,
    chunkIndex,
    content: `${words.join(" ")} ${english} ${seed % 2 === 0 ? english : ""}`,
    metadata: { seed },
    embedding: Array.from({ length: dimensions }, (_, j) => (j === seed % dimensions ? 1 : 0.01)),
  };
}

const ranking = async (store: PgVectorStore, botId: string) =>
  Promise.all(
    QUERIES.map(async (q) =>
      (await store.keywordSearch(botId, q, { topK: 20 })).map((h) => `${h.documentId}#${h.chunkIndex} ${h.score}`),
    ),
  );

/** A bot's postings as (term, document) → chunk index → [tf, token count], order-free. */
const postings = async (database: StorageDatabase, botId: string) => {
  const { rows } = await sql<{
    term: string;
    document_id: string;
    chunk_indexes: number[];
    term_frequencies: number[];
    token_counts: number[];
  }>`
    SELECT term, document_id, chunk_indexes, term_frequencies, token_counts
    FROM keyword_postings WHERE bot_id = ${botId} ORDER BY term, document_id`.execute(database.db);
  return rows.map((r) => ({
    key: `${r.term} ${r.document_id}`,
    chunks: r.chunk_indexes
      .map((c, i) => [c, r.term_frequencies[i], r.token_counts[i]])
      .sort((a, b) => (a[0] as number) - (b[0] as number)),
  }));
};

/** Registers the keyword postings tests (inside the storage suite's `describe`). */
export function itKeepsKeywordPostingsExact(
  getStorage: () => Storage,
  openEmpty: () => Promise<StorageDatabase>,
  dimensions: number,
): void {
  it("keyword postings of chunks added to a document in several upserts, replaced and updated equal those of one upsert, and go with their bot", async () => {
    const storage = getStorage();
    const store = storage.vectors as PgVectorStore;
    const edited = await storage.bots.create({ name: `kp-${randomUUID().slice(0, 8)}` });
    await store.upsert(
      edited.id,
      [0, 1, 2].map((i) => chunk("a", i, dimensions, i)),
    );
    // more chunks of the same document: merged into its existing postings rows
    await store.upsert(
      edited.id,
      [3, 4, 5].map((i) => chunk("a", i, dimensions, i)),
    );
    await store.upsert(edited.id, [chunk("b", 0, dimensions, 6)]);
    // one chunk of each document replaced, and a row rewritten in place (remove + add)
    await store.upsert(edited.id, [chunk("a", 4, dimensions, 14), chunk("b", 0, dimensions, 16)]);
    await sql`UPDATE chunk_keywords SET token_count = token_count WHERE bot_id = ${edited.id} AND chunk_index < 3`.execute(
      storage.database.db,
    );
    const fresh = await storage.bots.create({ name: `kp-${randomUUID().slice(0, 8)}` });
    await store.upsert(fresh.id, [
      ...[0, 1, 2, 3, 5].map((i) => chunk("a", i, dimensions, i)),
      chunk("a", 4, dimensions, 14),
      chunk("b", 0, dimensions, 16),
    ]);
    const expected = await postings(storage.database, fresh.id);
    expect(expected.length).toBeGreaterThan(20);
    expect(await postings(storage.database, edited.id)).toEqual(expected);
    const scores = await ranking(store, fresh.id);
    expect(scores.flat().length).toBeGreaterThanOrEqual(6);
    expect(await ranking(store, edited.id)).toEqual(scores);
    await storage.bots.delete(edited.id);
    expect(await postings(storage.database, edited.id)).toEqual([]);
    expect(await postings(storage.database, fresh.id)).toEqual(expected);
  });

  it("migration 0016 backfills the keyword postings of chunks stored before it: the same postings and scores as chunks stored after it", async () => {
    const database = await openEmpty();
    try {
      const db = database.db as Kysely<unknown>;
      const migrator = storageMigrator(db, dimensions);
      expect((await migrator.migrateTo("0014_keyword_statistics")).error).toBeUndefined();
      await sql`INSERT INTO bots (id, name) VALUES ('old', 'bot'), ('old2', 'other'), ('new', 'bot')`.execute(db);
      const store = new PgVectorStore(database);
      const chunks = [
        ...[0, 1, 2, 3].map((i) => chunk("a", i, dimensions, i)),
        ...[0, 1].map((i) => chunk("b", i, dimensions, 7 + i)),
      ];
      await upsertWithoutPostings(database, "old", chunks);
      await upsertWithoutPostings(database, "old2", [chunk("a", 0, dimensions, 9)]);
      await migrateToLatest(db, { embeddingDimensions: dimensions });
      await store.upsert("new", chunks);
      const expected = await postings(database, "new");
      expect(expected.length).toBeGreaterThan(20);
      expect(await postings(database, "old")).toEqual(expected);
      expect((await postings(database, "old2")).length).toBeGreaterThan(0);
      const scores = await ranking(store, "new");
      expect(scores.flat().length).toBeGreaterThanOrEqual(6);
      expect(await ranking(store, "old")).toEqual(scores);
      // the GIN index on tsvectors had no reader left
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'chunk_keywords' AND indexdef LIKE '%gin%'`.execute(
        db,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await database.close();
    }
  });
}
