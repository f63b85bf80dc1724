import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, describe } from "vitest";
import { describeStatisticsRoutes } from "./statistics-routes-suite.ts";

// Skipped with a notice when PostgreSQL is missing locally; required under CI=true.
const postgres: PostgresServer | undefined = await startPostgresServer();
afterAll(async () => {
  await postgres?.stop();
});

describe.skipIf(postgres === undefined)("real PostgreSQL + pgvector", () => {
  describeStatisticsRoutes("PostgreSQL", async () => ({ databaseUrl: await postgres!.createDatabase("statistics") }));
});
