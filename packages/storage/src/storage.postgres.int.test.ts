import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { storageMigrations } from "./migrate.ts";
import { openDatabase } from "./open-database.ts";
import { describeRunValuesSuite } from "./run-values-suite.ts";
import { describeStorageSuite, SUITE_DIMENSIONS } from "./storage-suite.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

// Skipped with a notice when PostgreSQL or pgvector is missing locally; required under CI=true.
const server = await startPostgresServer();
afterAll(async () => {
  await server?.stop();
});

let emptyDatabases = 0;

const backend = server && {
  open: () => openDatabase({ databaseUrl: server.url, embeddingDimensions: SUITE_DIMENSIONS }),
  openEmpty: async () =>
    openDatabase({
      // a database of its own per call: several migration tests each start from nothing
      databaseUrl: await server.createDatabase(`empty_${++emptyDatabases}`),
      embeddingDimensions: SUITE_DIMENSIONS,
      migrate: false,
    }),
};
describeStorageSuite(`PostgreSQL ${server?.major ?? "(unavailable)"} + pgvector`, backend);
describeRunValuesSuite(`PostgreSQL ${server?.major ?? "(unavailable)"} + pgvector`, backend);

describe.skipIf(server === undefined)("migrations on a real server", () => {
  it("two processes opening a fresh database at once migrate it exactly once", async () => {
    const url = await server!.createDatabase("race");
    const [a, b, c] = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ databaseUrl: url, embeddingDimensions: SUITE_DIMENSIONS, maxConnections: 2 })),
    );
    // Each migration recorded once: none ran twice.
    const { rows } = await sql<{ name: string; n: number }>`
      SELECT name, count(*)::int AS n FROM portflow_migrations GROUP BY name ORDER BY name`.execute(a!.db);
    expect(rows).toEqual(Object.keys(storageMigrations(SUITE_DIMENSIONS)).map((name) => ({ name, n: 1 })));
    await Promise.all([a!.close(), b!.close(), c!.close()]);
  });

  it("refuses an embedding dimension other than the one the schema was created with", async () => {
    const url = await server!.createDatabase("dims");
    const first = await openDatabase({ databaseUrl: url, embeddingDimensions: 4 });
    await first.close();
    await expect(openDatabase({ databaseUrl: url, embeddingDimensions: 8 })).rejects.toThrow(/vector\(4\)/);
  });
});
