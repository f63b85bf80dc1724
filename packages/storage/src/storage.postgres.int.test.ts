import { afterAll } from "vitest";
import { openDatabase } from "./open-database.ts";
import { describeStorageSuite, SUITE_DIMENSIONS } from "./storage-suite.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

// Skipped with a notice when PostgreSQL or pgvector is missing locally; required under CI=true.
const server = await startPostgresServer();
afterAll(async () => {
  await server?.stop();
});

describeStorageSuite(
  `PostgreSQL ${server?.major ?? "(unavailable)"} + pgvector`,
  server && { open: () => openDatabase({ databaseUrl: server.url, embeddingDimensions: SUITE_DIMENSIONS }) },
);
