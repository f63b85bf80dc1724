import { type Kysely, type Migration, sql } from "kysely";
import { countNodeExecutionsBody, countRunsBody } from "./statistics-rollup-triggers.ts";

/**
 * Statistics at a million runs, kept exact by statement-level triggers whatever writes a run or a
 * node execution — submit, start, finish, sweep, resume, retention, a bot's cascade delete:
 *
 * - `run_statistics_hourly`: per bot, UTC hour of `started_at` and status, the runs, their tokens
 *   and their queue wait (queued → started, in µs so sums stay exact integers);
 * - `node_statistics_daily`: per bot, UTC day of `finished_at`, node type and latency bucket
 *   (`portflow_latency_bucket`: 32 per doubling, 2.2 % wide), the executions and failures.
 *
 * Rows falling to zero are deleted, so a deleted bot leaves none. The rows already stored are
 * counted inside the migration's transaction (the triggers' lock holds writers off until commit).
 * The trigger bodies: `statistics-rollup-triggers.ts` (migration 0017 replaces them).
 */
export const runStatisticsRollupMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE run_statistics_hourly (
        bot_id text NOT NULL,
        hour timestamptz NOT NULL,
        status text NOT NULL,
        runs integer NOT NULL,
        input_tokens bigint NOT NULL,
        output_tokens bigint NOT NULL,
        waited_runs integer NOT NULL,
        wait_us bigint NOT NULL,
        PRIMARY KEY (bot_id, hour, status)
      )`.execute(db);
    await sql`
      CREATE TABLE node_statistics_daily (
        bot_id text NOT NULL,
        day timestamptz NOT NULL,
        node_type text NOT NULL,
        latency_bucket integer NOT NULL,
        executions integer NOT NULL,
        failures integer NOT NULL,
        PRIMARY KEY (bot_id, day, node_type, latency_bucket)
      )`.execute(db);

    // Hours and days by epoch arithmetic: no session time zone involved.
    await sql`
      CREATE FUNCTION portflow_stats_hour(ts timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT to_timestamp(floor(extract(epoch FROM ts) / 3600) * 3600) $$`.execute(db);
    await sql`
      CREATE FUNCTION portflow_stats_day(ts timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT to_timestamp(floor(extract(epoch FROM ts) / 86400) * 86400) $$`.execute(db);
    // Bucket b holds [2^(b/32), 2^((b+1)/32)) ms; anything under 1 µs counts as 1 µs.
    await sql`
      CREATE FUNCTION portflow_latency_bucket(ms double precision) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT floor(ln(greatest(ms, 0.001)) / ln(2) * 32)::integer $$`.execute(db);
    // How long a run waited in the queue, once it has started; NULL for runs that never queued, are
    // still queued, or were finished from the queue (cancelled there: started_at stayed queued_at).
    await sql`
      CREATE FUNCTION portflow_queue_wait_us(status text, queued_at timestamptz, started_at timestamptz)
      RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT CASE WHEN queued_at IS NULL OR status = 'queued' OR started_at = queued_at THEN NULL
                   ELSE greatest(0, round((extract(epoch FROM started_at) - extract(epoch FROM queued_at)) * 1000000))::bigint
              END $$`.execute(db);

    await sql`
      CREATE FUNCTION portflow_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${sql.raw(countRunsBody({ sharded: false }))}
      END $$`.execute(db);
    await sql`
      CREATE FUNCTION portflow_count_node_executions() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN ${sql.raw(countNodeExecutionsBody({ sharded: false }))}
      END $$`.execute(db);

    // A trigger with transition tables serves one event: three per table.
    for (const [table, fn, alias] of [
      ["workflow_execution_runs", "portflow_count_runs", "runs"],
      ["workflow_node_executions", "portflow_count_node_executions", "nodes"],
    ] as const) {
      const on = sql.raw(table);
      const run = sql.raw(`EXECUTE FUNCTION ${fn}()`);
      await sql`CREATE TRIGGER ${sql.raw(`${table}_statistics_insert`)} AFTER INSERT ON ${on}
        REFERENCING NEW TABLE AS ${sql.raw(`new_${alias}`)} FOR EACH STATEMENT ${run}`.execute(db);
      await sql`CREATE TRIGGER ${sql.raw(`${table}_statistics_delete`)} AFTER DELETE ON ${on}
        REFERENCING OLD TABLE AS ${sql.raw(`old_${alias}`)} FOR EACH STATEMENT ${run}`.execute(db);
      await sql`CREATE TRIGGER ${sql.raw(`${table}_statistics_update`)} AFTER UPDATE ON ${on}
        REFERENCING OLD TABLE AS ${sql.raw(`old_${alias}`)} NEW TABLE AS ${sql.raw(`new_${alias}`)}
        FOR EACH STATEMENT ${run}`.execute(db);
    }

    await sql`
      INSERT INTO run_statistics_hourly (bot_id, hour, status, runs, input_tokens, output_tokens, waited_runs, wait_us)
      SELECT bot_id, portflow_stats_hour(started_at), status, count(*), sum(input_tokens), sum(output_tokens),
             count(portflow_queue_wait_us(status, queued_at, started_at)),
             coalesce(sum(portflow_queue_wait_us(status, queued_at, started_at)), 0)
      FROM workflow_execution_runs WHERE bot_id IS NOT NULL
      GROUP BY 1, 2, 3`.execute(db);
    await sql`
      INSERT INTO node_statistics_daily (bot_id, day, node_type, latency_bucket, executions, failures)
      SELECT bot_id, portflow_stats_day(finished_at), node_type, portflow_latency_bucket(elapsed_ms), count(*),
             count(*) FILTER (WHERE status = 'failed')
      FROM workflow_node_executions WHERE bot_id IS NOT NULL
      GROUP BY 1, 2, 3, 4`.execute(db);

    // The edges of a window (the day it ends in, a 24h window) read node executions through this
    // index alone; it replaces the plain (bot_id, finished_at) one.
    await sql`
      CREATE INDEX workflow_node_executions_bot_finished_stats_idx
      ON workflow_node_executions (bot_id, finished_at) INCLUDE (node_type, status, elapsed_ms)`.execute(db);
    await sql`DROP INDEX workflow_node_executions_bot_finished_idx`.execute(db);

    // Run-list filters that match few runs (a session, `queued`, a rare trigger) would otherwise
    // walk the bot's whole (bot_id, started_at) index to fill a page: the same order per filter.
    for (const column of ["status", "trigger", "session_id"]) {
      await sql`
        CREATE INDEX ${sql.raw(`workflow_execution_runs_bot_${column}_started_idx`)}
        ON workflow_execution_runs (bot_id, ${sql.raw(column)}, started_at DESC, id DESC)`.execute(db);
    }
  },
};
