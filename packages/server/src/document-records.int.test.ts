import { InMemoryDocumentRecords } from "@portflow/nodes/testing";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { startPostgresServer } from "@portflow/storage/testing";
import { afterAll } from "vitest";
import { type DocumentRecordsHarness, documentRecordsContract } from "./testing/document-records-contract.ts";

// The ingestion test double and the storage repository it stands in for, held to one contract.
documentRecordsContract("InMemoryDocumentRecords", async () => {
  let bots = 0;
  return { records: new InMemoryDocumentRecords(), newBot: async () => `bot-${++bots}` };
});

async function storageHarness(storage: Storage): Promise<DocumentRecordsHarness> {
  return {
    records: storage.documents,
    newBot: async () => (await storage.bots.create({ name: "documents" })).id,
    close: () => storage.close(),
  };
}
const acceptAll = { validate: () => ({ ok: true, problems: [] }) };

documentRecordsContract("storage documents on PGlite", async () =>
  storageHarness(createStorage(await openDatabase({ dataDir: "memory://", embeddingDimensions: 8 }), acceptAll)),
);

// Skipped with a notice when PostgreSQL is missing locally; required under CI=true.
const server = await startPostgresServer();
afterAll(async () => {
  await server?.stop();
});
documentRecordsContract(
  `storage documents on PostgreSQL ${server?.major ?? "(unavailable)"}`,
  server &&
    (async () =>
      storageHarness(
        createStorage(await openDatabase({ databaseUrl: server.url, embeddingDimensions: 8 }), acceptAll),
      )),
);
