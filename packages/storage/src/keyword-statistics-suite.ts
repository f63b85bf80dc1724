/**
 * The per-bot keyword statistics (migration 0014) on whatever database the storage suite runs
 * on: kept exact through every way chunks come and go, and the migration's backfill and index. Called from `describeStorageSuite`.
 */
import { randomUUID } from "node:crypto";
import { bm25TermScore, type ChunkRecord } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import { expect, it } from "vitest";
import { chunkKeywords } from "./chunk-keywords.ts";
import type { Storage } from "./create-storage.ts";
import { migrateToLatest, storageMigrator } from "./migrate.ts";
import type { StorageDatabase } from "./open-database.ts";
import { PgVectorStore } from "./pg-vector-store.ts";
import { upsertWithoutPostings } from "./upsert-without-postings.ts";

const SYLLABLES = "가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호";
/** English terms, and the first words of three chunks (so most chunks hold some query term). */
const QUERIES = [
  "환불 기간",
  "배포 절차 canary",
  "rollback deploy",
  ...[0, 31, 20].map((seed) => chunk("q", 0, 1, seed).content.split(" ").slice(0, 3).join(" ")),
];

/** Chunks whose token counts differ, sharing some terms (so n, df and the mean length all matter). */
function chunk(documentId: string, chunkIndex: number, dimensions: number, seed: number): ChunkRecord {
  const words = Array.from({ length: 5 + (seed % 7) * 3 }, (_, i) => {
    const a = SYLLABLES[(seed * 7 + i * 3) % SYLLABLES.length];
    const b = SYLLABLES[(seed + i * 11) % SYLLABLES.length];
    return `${a}${b}`;
  });
  const english = ["deploy", "rollback", "canary", "환불", "배포 절차"][seed % 5];
  return {
    documentId,
    chunkIndex,
    content: `${words.join(" ")} ${english} ${seed % 3 === 0 ? english : ""}`,
    metadata: { seed },
    embedding: Array.from({ length: dimensions }, (_, j) => (j === seed % dimensions ? 1 : 0.01)),
  };
}

const ranking = async (store: PgVectorStore, botId: string) =>
  Promise.all(
    QUERIES.map(async (q) =>
      (await store.keywordSearch(botId, q, { topK: 10 })).map((h) => `${h.documentId}#${h.chunkIndex} ${h.score}`),
    ),
  );

const statistics = async (database: StorageDatabase, botId: string) =>
  (
    await sql<{ chunks: string; tokens: string }>`
      SELECT chunks::text, tokens::text FROM keyword_statistics WHERE bot_id = ${botId}`.execute(database.db)
  ).rows;

const aggregate = async (database: StorageDatabase, botId: string) =>
  (
    await sql<{ chunks: string; tokens: string }>`
      SELECT count(*)::text AS chunks, sum(token_count)::text AS tokens
      FROM chunk_keywords WHERE bot_id = ${botId} HAVING count(*) > 0`.execute(database.db)
  ).rows;

/** Registers the keyword statistics tests (inside the storage suite's `describe`). */
export function itKeepsKeywordStatisticsExact(
  getStorage: () => Storage,
  openEmpty: () => Promise<StorageDatabase>,
  dimensions: number,
): void {
  it("keyword scores after replacements and deletions equal those of a bot holding only the chunks that remain", async () => {
    const storage = getStorage();
    const store = storage.vectors as PgVectorStore;
    const edited = await storage.bots.create({ name: `kw-${randomUUID().slice(0, 8)}` });
    await store.upsert(
      edited.id,
      [0, 1, 2, 3, 4].map((i) => chunk("a", i, dimensions, i)),
    );
    await store.upsert(
      edited.id,
      [0, 1, 2].map((i) => chunk("b", i, dimensions, 10 + i)),
    );
    await store.upsert(
      edited.id,
      [0, 1].map((i) => chunk("c", i, dimensions, 20 + i)),
    );
    // a replaced chunk, a removed document, a chunk deleted by hand
    await store.upsert(edited.id, [chunk("a", 1, dimensions, 31), chunk("a", 2, dimensions, 32)]);
    expect(await store.deleteDocument(edited.id, "b")).toBe(3);
    await sql`DELETE FROM document_embeddings WHERE bot_id = ${edited.id} AND document_id = 'c' AND chunk_index = 1`.execute(
      storage.database.db,
    );
    const fresh = await storage.bots.create({ name: `kw-${randomUUID().slice(0, 8)}` });
    await store.upsert(fresh.id, [
      chunk("a", 0, dimensions, 0),
      chunk("a", 1, dimensions, 31),
      chunk("a", 2, dimensions, 32),
      chunk("a", 3, dimensions, 3),
      chunk("a", 4, dimensions, 4),
      chunk("c", 0, dimensions, 20),
    ]);
    const expected = await ranking(store, fresh.id);
    expect(expected.flat().length).toBeGreaterThanOrEqual(8);
    expect(await ranking(store, edited.id)).toEqual(expected);
    expect(await statistics(storage.database, edited.id)).toEqual(await aggregate(storage.database, edited.id));
    expect((await statistics(storage.database, edited.id))[0]?.chunks).toBe("6");
    // deleting the bot takes its statistics with it
    await storage.bots.delete(edited.id);
    expect(await statistics(storage.database, edited.id)).toEqual([]);
    expect(await statistics(storage.database, fresh.id)).toEqual(await aggregate(storage.database, fresh.id));
  });

  it("scores every term frequency from 1 to 255 (and more, counted as 255) exactly as bm25TermScore does", async () => {
    const storage = getStorage();
    const store = storage.vectors as PgVectorStore;
    const bot = await storage.bots.create({ name: `kw-${randomUUID().slice(0, 8)}` });
    const frequencies = [1, 2, 3, 4, 7, 16, 100, 253, 254, 255, 300];
    const chunks = frequencies.map((tf, i) => ({
      ...chunk("tf", i, dimensions, i),
      content: `${"canary ".repeat(tf)}${"filler ".repeat(i * 3)}환불 ${i % 2 === 0 ? "환불" : ""}`,
    }));
    // chunks without the term count in n and the mean length
    await store.upsert(bot.id, [...chunks, chunk("tf", 99, dimensions, 99)]);
    const entries = [...chunks, chunk("tf", 99, dimensions, 99)].map((c) => chunkKeywords(c.content));
    const mean = entries.reduce((sum, e) => sum + e.tokenCount, 0) / entries.length;
    const expected = (index: number, terms: Record<string, number>) =>
      Object.entries(terms).reduce((sum, [term, df]) => {
        const tf = entries[index]!.lexemes.get(term) ?? 0;
        return tf === 0 ? sum : sum + bm25TermScore(entries.length, df, tf, entries[index]!.tokenCount, mean);
      }, 0);
    const hits = await store.keywordSearch(bot.id, "canary 환불", { topK: 50 });
    expect(hits.map((h) => h.chunkIndex).sort((a, b) => a - b)).toEqual(frequencies.map((_, i) => i));
    for (const hit of hits) {
      expect(hit.score).toBeCloseTo(
        expected(hit.chunkIndex, { canary: frequencies.length, 환불: frequencies.length }),
        9,
      );
    }
    await storage.bots.delete(bot.id);
  });

  it("migration 0014 backfills each bot's keyword statistics and keeps new keyword rows in the table row", async () => {
    const database = await openEmpty();
    try {
      const db = database.db as Kysely<unknown>;
      const migrator = storageMigrator(db, dimensions);
      expect((await migrator.migrateTo("0013_chunk_keywords_uncompressed")).error).toBeUndefined();
      await sql`INSERT INTO bots (id, name) VALUES ('b1', 'bot'), ('b2', 'other')`.execute(db);
      const store = new PgVectorStore(database);
      const long = (i: number, suffix: string): ChunkRecord => ({
        ...chunk("long", i, dimensions, i),
        // 400 three-syllable words: a tsvector of ~5 kB, over the default 2 kB TOAST threshold
        content: `${Array.from({ length: 400 }, (_, w) => `${SYLLABLES[w % 41]}${SYLLABLES[(w * 7) % 41]}${SYLLABLES[(w * 13) % 41]}`).join(" ")} ${suffix}`,
      });
      await upsertWithoutPostings(
        database,
        "b1",
        [0, 1, 2].map((i) => chunk("a", i, dimensions, i)),
      );
      await upsertWithoutPostings(
        database,
        "b2",
        [0, 1].map((i) => chunk("a", i, dimensions, 7 + i)),
      );
      await upsertWithoutPostings(database, "b1", [long(10, "환불규정")]);
      const toastBytes = async () =>
        Number(
          (
            await sql<{ bytes: string }>`
              SELECT pg_relation_size(reltoastrelid)::text AS bytes FROM pg_class WHERE relname = 'chunk_keywords'`.execute(
              db,
            )
          ).rows[0]?.bytes,
        );
      const toastBefore = await toastBytes();
      expect(toastBefore).toBeGreaterThan(0);
      expect((await migrator.migrateTo("0014_keyword_statistics")).error).toBeUndefined();
      expect(await statistics(database, "b1")).toEqual([
        { chunks: "4", tokens: (await aggregate(database, "b1"))[0]?.tokens },
      ]);
      expect(await statistics(database, "b2")).toEqual(await aggregate(database, "b2"));
      // one GIN index on (bot_id, keywords): a search reads the bot's matches, not every bot's
      const { rows: indexes } = await sql<{ definition: string }>`
        SELECT indexdef AS definition FROM pg_indexes WHERE tablename = 'chunk_keywords' AND indexdef LIKE '%gin%'`.execute(
        db,
      );
      expect(indexes.map((i) => i.definition.replace(/^.* USING /, ""))).toEqual(["gin (bot_id, keywords)"]);
      // (migration 0016 drops it again: searches read keyword_postings)
      await migrateToLatest(db, { embeddingDimensions: dimensions });
      expect((await store.keywordSearch("b1", "환불 규정", { topK: 5 })).map((h) => h.chunkIndex)).toEqual([10]);
      await store.upsert("b1", [long(11, "배포절차")]);
      // the new chunk's 5 kB tsvector stayed in its row: the TOAST table did not grow
      expect(await toastBytes()).toBe(toastBefore);
      expect((await store.keywordSearch("b1", "배포 절차", { topK: 1 })).map((h) => h.chunkIndex)).toEqual([11]);
    } finally {
      await database.close();
    }
  });
}
