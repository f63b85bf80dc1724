import { sql } from "kysely";
import pg from "pg";
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

  it("opens an up-to-date database at once while another process holds the migration lock", async () => {
    const url = await server!.createDatabase("busy");
    await (await openDatabase({ databaseUrl: url, embeddingDimensions: SUITE_DIMENSIONS })).close();
    const migrating = new pg.Client({ connectionString: url });
    await migrating.connect();
    // Kysely's Migrator takes this session lock for the whole of a migration.
    await migrating.query("SELECT pg_advisory_lock(3853314791062309107)");
    try {
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<"stuck">((resolve) => {
        timer = setTimeout(() => resolve("stuck"), 15_000);
      });
      const opening = openDatabase({ databaseUrl: url, embeddingDimensions: SUITE_DIMENSIONS, maxConnections: 2 });
      const opened = await Promise.race([opening, stuck]);
      clearTimeout(timer);
      expect(opened).not.toBe("stuck");
      if (opened === "stuck") {
        await migrating.query("SELECT pg_advisory_unlock_all()");
        await (await opening).close();
        return;
      }
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM bots`.execute(opened.db);
      expect(rows).toEqual([{ n: 0 }]);
      await opened.close();
    } finally {
      await migrating.end();
    }
  });

  it("refuses an embedding dimension other than the one the schema was created with", async () => {
    const url = await server!.createDatabase("dims");
    const first = await openDatabase({ databaseUrl: url, embeddingDimensions: 4 });
    await first.close();
    await expect(openDatabase({ databaseUrl: url, embeddingDimensions: 8 })).rejects.toThrow(/vector\(4\)/);
  });
});
