/**
 * The bodies of the statistics rollup trigger functions, as migrations 0012 (one row per group)
 * and 0017 (`sharded`: a group spread over rows by `portflow_stats_shard` of the counted row's
 * id) create them. A migration's SQL must not change once released: change it through a new
 * option, never by editing what an option already produces.
 *
 * Each body aggregates its statement's transition table first and upserts the groups in key
 * order: one write per group for a batch (retention), and concurrent statements lock the rollup
 * rows they share in the same order, so they cannot deadlock. Rows falling to zero are deleted.
 */
export interface RollupTriggerOptions {
  readonly sharded: boolean;
}

/** `portflow_count_runs()`'s body (PL/pgSQL, between `BEGIN` and `END`): `run_statistics_hourly`. */
export function countRunsBody({ sharded }: RollupTriggerOptions): string {
  const shard = (t: string) => (sharded ? ` portflow_stats_shard(${t}.id) AS shard,` : "");
  const runRow = (t: string, sign: number) =>
    `SELECT ${t}.bot_id, portflow_stats_hour(${t}.started_at) AS hour, ${t}.status,${shard(t)} ${sign} AS sign,
              ${t}.input_tokens, ${t}.output_tokens, portflow_queue_wait_us(${t}.status, ${t}.queued_at, ${t}.started_at) AS w`;
  const changed = `(o.bot_id, o.status, o.started_at, o.queued_at, o.input_tokens, o.output_tokens)
      IS DISTINCT FROM (n.bot_id, n.status, n.started_at, n.queued_at, n.input_tokens, n.output_tokens)`;
  const key = sharded ? "bot_id, hour, status, shard" : "bot_id, hour, status";
  const apply = (delta: string, decrements: boolean) => `
      INSERT INTO run_statistics_hourly AS s (${key}, runs, input_tokens, output_tokens, waited_runs, wait_us)
      SELECT ${key}, sum(sign), sum(sign * input_tokens), sum(sign * output_tokens),
             sum(CASE WHEN w IS NULL THEN 0 ELSE sign END), sum(sign * coalesce(w, 0))
      FROM (${delta}) AS d WHERE bot_id IS NOT NULL
      GROUP BY ${key} ORDER BY ${key}
      ON CONFLICT (${key}) DO UPDATE SET
        runs = s.runs + excluded.runs, input_tokens = s.input_tokens + excluded.input_tokens,
        output_tokens = s.output_tokens + excluded.output_tokens, waited_runs = s.waited_runs + excluded.waited_runs,
        wait_us = s.wait_us + excluded.wait_us;
      ${
        !decrements
          ? ""
          : `DELETE FROM run_statistics_hourly s
      USING (SELECT DISTINCT ${key} FROM (${delta}) AS d WHERE sign < 0) AS k
      WHERE s.bot_id = k.bot_id AND s.hour = k.hour AND s.status = k.status AND ${sharded ? "s.shard = k.shard AND " : ""}s.runs = 0;`
      }`;
  return triggerBody(runRow, changed, "runs", apply);
}

/** `portflow_count_node_executions()`'s body: `node_statistics_daily`. */
export function countNodeExecutionsBody({ sharded }: RollupTriggerOptions): string {
  const shard = (t: string) => (sharded ? ` portflow_stats_shard(${t}.id) AS shard,` : "");
  const nodeRow = (t: string, sign: number) =>
    `SELECT ${t}.bot_id, portflow_stats_day(${t}.finished_at) AS day, ${t}.node_type,
              portflow_latency_bucket(${t}.elapsed_ms) AS bucket,${shard(t)} ${sign} AS sign, (${t}.status = 'failed')::int AS failed`;
  const changed = `(o.bot_id, o.finished_at, o.node_type, o.elapsed_ms, o.status)
      IS DISTINCT FROM (n.bot_id, n.finished_at, n.node_type, n.elapsed_ms, n.status)`;
  const key = sharded ? "bot_id, day, node_type, bucket, shard" : "bot_id, day, node_type, bucket";
  const conflict = sharded ? "bot_id, day, node_type, latency_bucket, shard" : "bot_id, day, node_type, latency_bucket";
  const apply = (delta: string, decrements: boolean) => `
      INSERT INTO node_statistics_daily AS s (${conflict}, executions, failures)
      SELECT ${key}, sum(sign), sum(sign * failed)
      FROM (${delta}) AS d WHERE bot_id IS NOT NULL
      GROUP BY ${key} ORDER BY ${key}
      ON CONFLICT (${conflict}) DO UPDATE SET
        executions = s.executions + excluded.executions, failures = s.failures + excluded.failures;
      ${
        !decrements
          ? ""
          : `DELETE FROM node_statistics_daily s
      USING (SELECT DISTINCT ${key} FROM (${delta}) AS d WHERE sign < 0) AS k
      WHERE s.bot_id = k.bot_id AND s.day = k.day AND s.node_type = k.node_type AND s.latency_bucket = k.bucket
        AND ${sharded ? "s.shard = k.shard AND " : ""}s.executions = 0;`
      }`;
  return triggerBody(nodeRow, changed, "nodes", apply);
}

/** INSERT, DELETE and UPDATE branches over the transition tables `new_<alias>` / `old_<alias>`. */
function triggerBody(
  row: (table: string, sign: number) => string,
  changed: string,
  alias: string,
  apply: (delta: string, decrements: boolean) => string,
): string {
  const inserted = `${row("n", 1)} FROM new_${alias} n`;
  const deleted = `${row("o", -1)} FROM old_${alias} o`;
  const updated = `${row("o", -1)} FROM old_${alias} o JOIN new_${alias} n USING (id) WHERE ${changed}
               UNION ALL ${row("n", 1)} FROM old_${alias} o JOIN new_${alias} n USING (id) WHERE ${changed}`;
  return `
        IF TG_OP = 'INSERT' THEN ${apply(inserted, false)}
        ELSIF TG_OP = 'DELETE' THEN ${apply(deleted, true)}
        ELSE ${apply(updated, true)}
        END IF;
        RETURN NULL;`;
}
