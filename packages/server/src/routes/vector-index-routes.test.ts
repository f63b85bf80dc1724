import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, TEST_EMBEDDING_DIMENSIONS, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** Chunks around two directions, so that an index finds each one's neighbours. */
function chunks(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    documentId: "guide",
    chunkIndex: i,
    content: `part ${i}`,
    metadata: {},
    embedding: Array.from(
      { length: TEST_EMBEDDING_DIMENSIONS },
      (_, k) => (k === i % 2 ? 5 : 0) + Math.sin(i * 7.1 + k),
    ),
  }));
}

describe("GET /api/v1/bots/{bot_id}/vector-index", () => {
  it("says a bot without an index is searched exactly, then what measuring its new index found", async () => {
    const bot = await t.storage.bots.create({ name: "indexed" });
    await t.storage.vectors.upsert(bot.id, chunks(120));
    const url = `/api/v1/bots/${bot.id}/vector-index`;
    const before = await t.app.inject({ method: "GET", url, headers: t.admin });
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({
      bot_id: bot.id,
      chunks: 120,
      index: "none",
      searches: "exact",
      ef_search: null,
      calibration: null,
    });

    await t.storage.vectors.createBotHnswIndex(bot.id);
    const after = (await t.app.inject({ method: "GET", url, headers: t.admin })).json();
    expect(after).toMatchObject({
      index: "valid",
      searches: "index",
      ef_search: 100,
      calibration: { search: "index", ef_search: 100, queries: 50, chunks: 120 },
    });
    expect(after.calibration.recall).toBeGreaterThanOrEqual(0.95);
    expect(after.calibration.rungs).toEqual([
      { ef_search: 100, recall: after.calibration.recall, p50_ms: expect.any(Number) },
    ]);
    expect(Date.parse(after.calibration.measured_at)).not.toBeNaN();
  });

  it("answers 404 for another bot's index and for a bot that does not exist", async () => {
    const mine = await t.storage.bots.create({ name: "mine" });
    const other = await t.storage.bots.create({ name: "other" });
    const key = await t.keyFor(mine.id);
    const theirs = await t.app.inject({ method: "GET", url: `/api/v1/bots/${other.id}/vector-index`, headers: key });
    expect(theirs.statusCode).toBe(404);
    const own = await t.app.inject({ method: "GET", url: `/api/v1/bots/${mine.id}/vector-index`, headers: key });
    expect(own.json()).toMatchObject({ chunks: 0, index: "none" });
    const missing = await t.app.inject({ method: "GET", url: "/api/v1/bots/nope/vector-index", headers: t.admin });
    expect(missing.statusCode).toBe(404);
  });
});
