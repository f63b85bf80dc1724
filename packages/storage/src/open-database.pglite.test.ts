import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createStorage, type Storage } from "./create-storage.ts";
import { openDatabase } from "./open-database.ts";
import { StorageError } from "./storage-error.ts";

const DIMENSIONS = 4;
const dirs: string[] = [];
const opened: Storage[] = [];

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "portflow-open-database-"));
  dirs.push(dir);
  return dir;
}

async function open(dataDir: string, options: Parameters<typeof openDatabase>[0] = {}): Promise<Storage> {
  const database = await openDatabase({ dataDir, embeddingDimensions: DIMENSIONS, ...options });
  // These tests save no workflow versions.
  const storage = createStorage(database, { validate: () => ({ ok: true, problems: [] }) });
  opened.push(storage);
  return storage;
}

/** Creates a bot named `name` holding one document with one chunk of `content`. */
async function botWithOneChunk(storage: Storage, name: string, content: string, embedding: number[]) {
  const bot = await storage.bots.create({ name });
  const doc = await storage.documents.create(bot.id, {
    filename: `${content}.md`,
    mimeType: "text/markdown",
    sha256: "ab".repeat(32),
    bytes: content.length,
  });
  await storage.vectors.upsert(bot.id, [{ documentId: doc.id, chunkIndex: 0, content, metadata: {}, embedding }]);
  return { bot, doc };
}

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("openDatabase on embedded PGlite", { timeout: 120_000 }, () => {
  it("without pgvector: lists bots and documents and deletes a document with its chunks; a vector read says what is missing", async () => {
    const dataDir = await freshDataDir();
    const full = await open(dataDir);
    const { bot, doc } = await botWithOneChunk(full, "kept", "x", [1, 0, 0, 0]);
    await full.close();

    const rowsOnly = await open(dataDir, { pgliteVectorExtension: false });
    expect((await rowsOnly.bots.list()).items.map((b) => b.name)).toEqual(["kept"]);
    expect((await rowsOnly.documents.list(bot.id)).items.map((d) => d.id)).toEqual([doc.id]);
    const readVector = sql`SELECT embedding FROM document_embeddings`.execute(rowsOnly.database.db);
    await expect(readVector).rejects.toBeInstanceOf(StorageError);
    await expect(readVector).rejects.toThrow(/without the pgvector extension/);
    expect(await rowsOnly.documents.delete(bot.id, doc.id)).toBe(true);
    await rowsOnly.close();

    const reopened = await open(dataDir);
    expect(await reopened.vectors.countChunks(bot.id)).toBe(0);
  });

  it("without pgvector on a data directory that must be migrated: loads it anyway, and vectors work", async () => {
    const dataDir = await freshDataDir();
    await (await openDatabase({ dataDir, migrate: false })).close(); // a database, no schema yet
    const storage = await open(dataDir, { pgliteVectorExtension: false });
    const { bot, doc } = await botWithOneChunk(storage, "new", "y", [0, 1, 0, 0]);
    expect((await storage.vectors.listChunks(bot.id, doc.id)).map((c) => c.content)).toEqual(["y"]);
  });

  it("starts PostgreSQL with the pgliteSettings given, and the defaults without", async () => {
    const dataDir = await freshDataDir();
    const small = await open(dataDir, { pgliteSettings: { shared_buffers: "16MB" } });
    expect((await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(small.database.db)).rows).toEqual([
      { shared_buffers: "16MB" },
    ]);
    await small.close();
    const standard = await open(dataDir);
    expect((await sql<{ shared_buffers: string }>`SHOW shared_buffers`.execute(standard.database.db)).rows).toEqual([
      { shared_buffers: "128MB" },
    ]);
  });
});
