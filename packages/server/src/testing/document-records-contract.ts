import { randomUUID } from "node:crypto";
import type { DocumentRecords } from "@portflow/nodes/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** What {@link documentRecordsContract} needs from the implementation under test. */
export interface DocumentRecordsHarness {
  readonly records: DocumentRecords;
  /** A bot id the records accept, new on every call (a real store may need a `bots` row). */
  newBot(): Promise<string>;
  close?(): Promise<void>;
}

const input = (sha256: string) => ({ filename: "faq.md", mimeType: "text/markdown", sha256, bytes: 42 });
const sha = () => randomUUID().replaceAll("-", "").repeat(2);

/**
 * The behaviour ingestion relies on from its document rows, as one vitest suite: the in-memory
 * test double (`InMemoryDocumentRecords`) and the storage repository both run it, so they cannot
 * drift. It lives in the server package, the one that may import both nodes and storage.
 * Pass `undefined` to skip (a backend that is not available here).
 */
export function documentRecordsContract(name: string, open: (() => Promise<DocumentRecordsHarness>) | undefined): void {
  describe.skipIf(open === undefined)(`DocumentRecords contract: ${name}`, () => {
    let harness: DocumentRecordsHarness;
    beforeAll(async () => {
      harness = await open!();
    });
    afterAll(async () => {
      await harness?.close?.();
    });

    it("creates a pending row without chunks, found again by its bot and content hash only", async () => {
      const bot = await harness.newBot();
      const hash = sha();
      const row = await harness.records.create(bot, input(hash));
      expect(row).toMatchObject({ ...input(hash), status: "pending", chunkCount: 0, id: expect.any(String) });
      expect((await harness.records.findBySha256(bot, hash))?.id).toBe(row.id);
      expect(await harness.records.findBySha256(bot, sha())).toBeUndefined();
      expect(await harness.records.findBySha256(await harness.newBot(), hash)).toBeUndefined();
      const failed = await harness.records.create(bot, { ...input(sha()), status: "failed" });
      expect(failed.status).toBe("failed");
    });

    it("refuses a second row with the same content in one bot (ConflictError), not in another bot", async () => {
      const bot = await harness.newBot();
      const hash = sha();
      await harness.records.create(bot, input(hash));
      await expect(harness.records.create(bot, { ...input(hash), filename: "copy.md" })).rejects.toMatchObject({
        name: "ConflictError",
      });
      const elsewhere = await harness.records.create(await harness.newBot(), input(hash));
      expect(elsewhere.sha256).toBe(hash);
    });

    it("updates status and chunk count of the bot's own row; another bot's update changes nothing", async () => {
      const bot = await harness.newBot();
      const hash = sha();
      const row = await harness.records.create(bot, input(hash));
      expect(await harness.records.update(await harness.newBot(), row.id, { status: "ready" })).toBeUndefined();
      expect((await harness.records.findBySha256(bot, hash))?.status).toBe("pending");
      const ready = await harness.records.update(bot, row.id, { status: "ready", chunkCount: 3, error: null });
      expect(ready).toMatchObject({ id: row.id, status: "ready", chunkCount: 3, sha256: hash });
      const failed = await harness.records.update(bot, row.id, { status: "failed", error: "parser gave up" });
      expect(failed).toMatchObject({ status: "failed", chunkCount: 3 });
      expect(await harness.records.update(bot, randomUUID(), { status: "ready" })).toBeUndefined();
    });

    it("deletes the bot's own row once; another bot cannot delete it", async () => {
      const bot = await harness.newBot();
      const hash = sha();
      const row = await harness.records.create(bot, input(hash));
      expect(await harness.records.delete(await harness.newBot(), row.id)).toBe(false);
      expect(await harness.records.findBySha256(bot, hash)).toBeDefined();
      expect(await harness.records.delete(bot, row.id)).toBe(true);
      expect(await harness.records.delete(bot, row.id)).toBe(false);
      expect(await harness.records.findBySha256(bot, hash)).toBeUndefined();
      // the content may be stored again once its row is gone
      await expect(harness.records.create(bot, input(hash))).resolves.toMatchObject({ sha256: hash });
    });

    it("an aborted signal rejects every call with an AbortError and changes nothing", async () => {
      const bot = await harness.newBot();
      const hash = sha();
      const row = await harness.records.create(bot, input(hash));
      const signal = AbortSignal.abort();
      const abortError = { name: "AbortError" };
      const calls = [
        harness.records.create(bot, input(sha()), { signal }),
        harness.records.findBySha256(bot, hash, { signal }),
        harness.records.update(bot, row.id, { status: "ready" }, { signal }),
        harness.records.delete(bot, row.id, { signal }),
      ];
      for (const call of calls) await expect(call).rejects.toMatchObject(abortError);
      expect(await harness.records.findBySha256(bot, hash)).toMatchObject({ id: row.id, status: "pending" });
    });
  });
}
