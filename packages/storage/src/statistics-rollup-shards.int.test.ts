import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrateToLatest, storageMigrator } from "./migrate.ts";
import { openDatabase } from "./open-database.ts";
import { SUITE_DIMENSIONS } from "./storage-suite.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

// Skipped with a notice when PostgreSQL or pgvector is missing locally; required under CI=true.
const server = await startPostgresServer();
afterAll(async () => {
  await server?.stop();
});

const insertRun = (id: string, botId: string) =>
  `INSERT INTO workflow_execution_runs (id, bot_id, status, trigger, inputs, started_at)
   VALUES ('${id}', '${botId}', 'running', 'chat', '{}', now())`;

describe.skipIf(server === undefined)("statistics rollup shards (migration 0017)", () => {
  it("two runs of one bot starting at once do not wait for each other's statistics row", async () => {
    const url = await server!.createDatabase("shards_lock");
    const database = await openDatabase({ databaseUrl: url, embeddingDimensions: SUITE_DIMENSIONS });
    const first = new pg.Client({ connectionString: url });
    const second = new pg.Client({ connectionString: url });
    await Promise.all([first.connect(), second.connect()]);
    try {
      await first.query("INSERT INTO bots (id, name) VALUES ('b1', 'busy bot')");
      // Two run ids counted in different rows of the same (bot, hour, status) group.
      const shardOf = async (id: string) =>
        (await first.query<{ s: number }>("SELECT portflow_stats_shard($1) AS s", [id])).rows[0]?.s;
      const a = randomUUID();
      let b = randomUUID();
      while ((await shardOf(b)) === (await shardOf(a))) b = randomUUID();

      await first.query("BEGIN");
      await first.query(insertRun(a, "b1")); // holds its rollup row until it commits
      await second.query("SET lock_timeout = '2s'");
      // Before the shards this waited for the first transaction (and here: failed at the timeout).
      await expect(second.query(insertRun(b, "b1"))).resolves.toBeDefined();
      await first.query("COMMIT");

      const { rows } = await second.query<{ runs: number }>(
        "SELECT sum(runs)::int AS runs FROM run_statistics_hourly WHERE bot_id = 'b1' AND status = 'running'",
      );
      expect(rows).toEqual([{ runs: 2 }]);
    } finally {
      await Promise.all([first.end(), second.end()]);
      await database.close();
    }
  });

  it("recounts the rollups of runs stored before it: the same sums, and they still fall to zero when the runs go", async () => {
    const url = await server!.createDatabase("shards_recount");
    const database = await openDatabase({ databaseUrl: url, embeddingDimensions: SUITE_DIMENSIONS, migrate: false });
    try {
      const db = database.db as Kysely<unknown>;
      const migrator = storageMigrator(db, SUITE_DIMENSIONS);
      expect((await migrator.migrateTo("0016_keyword_postings")).error).toBeUndefined();
      await sql`INSERT INTO bots (id, name) VALUES ('b1', 'bot')`.execute(db);
      // 200 runs over 5 hours in three statuses, each with two node executions (0012's triggers count them).
      await sql`
        INSERT INTO workflow_execution_runs (id, bot_id, status, trigger, inputs, input_tokens, started_at, finished_at)
        SELECT 'run-' || i, 'b1', (ARRAY['succeeded', 'failed', 'running'])[1 + i % 3], 'chat', '{}', i,
               now() - (i % 5) * interval '1 hour', now()
        FROM generate_series(1, 200) AS i`.execute(db);
      await sql`
        INSERT INTO workflow_node_executions (run_id, bot_id, node_id, node_type, step_index, status, inputs, outputs,
          process_data, elapsed_ms, started_at, finished_at)
        SELECT r.id, 'b1', k.node, k.node, k.step,
          CASE WHEN r.status = 'failed' THEN 'failed' ELSE 'succeeded' END, '{}', '{}', '{}', k.step * 10 + 1, now(), now()
        FROM workflow_execution_runs r CROSS JOIN (VALUES (1, 'knowledge'), (2, 'llm')) AS k(step, node)`.execute(db);
      const sums = async () => ({
        runs: (
          await sql`
            SELECT hour, status, sum(runs)::int AS runs, sum(input_tokens)::int AS input
            FROM run_statistics_hourly GROUP BY 1, 2 ORDER BY 1, 2`.execute(db)
        ).rows,
        nodes: (
          await sql`
            SELECT day, node_type, latency_bucket, sum(executions)::int AS n, sum(failures)::int AS failed
            FROM node_statistics_daily GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db)
        ).rows,
      });
      const before = await sums();
      expect(before.runs.length).toBeGreaterThanOrEqual(15);

      await migrateToLatest(db, { embeddingDimensions: SUITE_DIMENSIONS });
      expect(await sums()).toEqual(before);
      const { rows: spread } = await sql<{ shards: number }>`
        SELECT count(DISTINCT shard)::int AS shards FROM run_statistics_hourly`.execute(db);
      expect(spread[0]?.shards).toBeGreaterThan(1);

      // Every decrement meets the increment it undoes: no row is left at zero or below.
      await sql`UPDATE workflow_execution_runs SET status = 'succeeded' WHERE status = 'running'`.execute(db);
      await sql`DELETE FROM workflow_execution_runs`.execute(db);
      const { rows: left } = await sql<{ n: number }>`
        SELECT (SELECT count(*) FROM run_statistics_hourly)::int + (SELECT count(*) FROM node_statistics_daily)::int AS n`.execute(
        db,
      );
      expect(left).toEqual([{ n: 0 }]);
    } finally {
      await database.close();
    }
  });
});
