import { type Kysely, type Migration, sql } from "kysely";
import { countNodeExecutionsBody, countRunsBody } from "./statistics-rollup-triggers.ts";

/** Rollup rows per group: concurrent runs of one bot lock one of these, not all the same row. */
export const STATISTICS_SHARDS = 4;

/**
 * Makes the statistics rollups of migration 0012 cheaper to keep:
 *
 * - Each group is spread over {@link STATISTICS_SHARDS} rows, keyed by a hash of the counted row's
 *   id. Every run of a busy bot used to lock the same rollup row at start, at finish and per node
 *   execution, so concurrent runs queued behind each other's transactions (`Lock:transactionid`
 *   was the top wait recording 8 runs at a time: 237 of 700 samples; 21–31 with 4–8 shards).
 * - The hour, day and queue-wait functions get bodies PostgreSQL can inline (see below).
 *
 * Together: 1,063 → 1,378 recorded runs/s (8 at a time; 2,564 without the triggers) and the
 * triggers' statements 617 → 237 µs per run; the statistics read 4× the rollup rows (30d at 1M
 * runs 8.3 → 16.6 ms p50, target < 50).
 *
 * The shard is a function of the row's id, which never changes, so a run's increments and
 * decrements meet in one row and a group's rows still fall to zero and are deleted. Readers sum
 * over the shards (they already group by bucket). The rollups are recounted here under a lock that
 * holds writers off until commit, as 0012 counted them.
 */
export const statisticsRollupShardsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`LOCK TABLE workflow_execution_runs, workflow_node_executions IN SHARE ROW EXCLUSIVE MODE`.execute(db);
    // The same values with bodies as immutable as the functions say (epoch of an interval instead of
    // a timestamptz's `extract`, which is only stable): PostgreSQL then inlines them into the
    // triggers' statements instead of planning a SQL function per call (~120 µs per recorded run).
    await sql`
      CREATE OR REPLACE FUNCTION portflow_stats_hour(ts timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT to_timestamp(floor(extract(epoch FROM ts - timestamptz 'epoch') / 3600) * 3600) $$`.execute(db);
    await sql`
      CREATE OR REPLACE FUNCTION portflow_stats_day(ts timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT to_timestamp(floor(extract(epoch FROM ts - timestamptz 'epoch') / 86400) * 86400) $$`.execute(db);
    await sql`
      CREATE OR REPLACE FUNCTION portflow_queue_wait_us(status text, queued_at timestamptz, started_at timestamptz)
      RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT CASE WHEN queued_at IS NULL OR status = 'queued' OR started_at = queued_at THEN NULL
                   ELSE greatest(0, round(extract(epoch FROM started_at - queued_at) * 1000000))::bigint
              END $$`.execute(db);
    await sql`
      CREATE FUNCTION portflow_stats_shard(id text) RETURNS smallint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT (hashtext(id) & ${sql.lit(STATISTICS_SHARDS - 1)})::smallint $$`.execute(db);
    for (const [table, key] of [
      ["run_statistics_hourly", "bot_id, hour, status"],
      ["node_statistics_daily", "bot_id, day, node_type, latency_bucket"],
    ] as const) {
      await sql`TRUNCATE ${sql.raw(table)}`.execute(db);
      await sql`ALTER TABLE ${sql.raw(table)} ADD COLUMN shard smallint NOT NULL`.execute(db);
      await sql`ALTER TABLE ${sql.raw(table)} DROP CONSTRAINT ${sql.raw(`${table}_pkey`)}`.execute(db);
      await sql`ALTER TABLE ${sql.raw(table)} ADD PRIMARY KEY (${sql.raw(key)}, shard)`.execute(db);
    }

    await sql`
      CREATE OR REPLACE FUNCTION portflow_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${sql.raw(countRunsBody({ sharded: true }))}
      END $$`.execute(db);
    await sql`
      CREATE OR REPLACE FUNCTION portflow_count_node_executions() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${sql.raw(countNodeExecutionsBody({ sharded: true }))}
      END $$`.execute(db);

    await sql`
      INSERT INTO run_statistics_hourly (bot_id, hour, status, shard, runs, input_tokens, output_tokens, waited_runs, wait_us)
      SELECT bot_id, portflow_stats_hour(started_at), status, portflow_stats_shard(id), count(*), sum(input_tokens),
             sum(output_tokens), count(portflow_queue_wait_us(status, queued_at, started_at)),
             coalesce(sum(portflow_queue_wait_us(status, queued_at, started_at)), 0)
      FROM workflow_execution_runs WHERE bot_id IS NOT NULL
      GROUP BY 1, 2, 3, 4`.execute(db);
    await sql`
      INSERT INTO node_statistics_daily (bot_id, day, node_type, latency_bucket, shard, executions, failures)
      SELECT bot_id, portflow_stats_day(finished_at), node_type, portflow_latency_bucket(elapsed_ms),
             portflow_stats_shard(id), count(*), count(*) FILTER (WHERE status = 'failed')
      FROM workflow_node_executions WHERE bot_id IS NOT NULL
      GROUP BY 1, 2, 3, 4, 5`.execute(db);
  },
};
