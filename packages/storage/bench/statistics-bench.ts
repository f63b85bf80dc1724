/**
 * Statistics and run-list paging at scale (part of `pnpm bench`, or alone:
 * `tsx --conditions=source packages/storage/bench/statistics-bench.ts`).
 *
 * On a throw-away PostgreSQL, for each size in BENCH_STATISTICS_RUNS (default 100000,1000000):
 * one bot's runs spread over the last 30 days (statuses, triggers, 100k sessions, half of them
 * queued first) and 4 node executions for every 10th run, made by `generate_series` through the
 * real schema and its rollup triggers. Then p50 of the statistics per window, the same counts as a
 * direct aggregate over the runs (what the route did before the rollup), and run-list pages: the
 * first, one half-way down by cursor, and first pages filtered by status, trigger, session, time;
 * and runs recorded per second through the recorder with the rollup triggers on and off.
 */
import { pathToFileURL } from "node:url";
import { sql } from "kysely";
import { createStorage, openDatabase, type Storage } from "../src/index.ts";
import { encodeCursor } from "../src/paging.ts";
import { startPostgresServer } from "../src/testing/index.ts";
import { recordRuns } from "./index.ts";

type BenchRow = { group: string; name: string; value: number; unit: string; note?: string };

const SIZES = (process.env.BENCH_STATISTICS_RUNS ?? "100000,1000000")
  .split(",")
  .map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);
const REPEATS = 15;

/** p50 and best of REPEATS: the best is what a quiet machine gives, on one shared with other work. */
interface Timing {
  readonly p50: number;
  readonly best: number;
}
const BATCH = 100_000;

async function time(fn: () => Promise<unknown>): Promise<Timing> {
  await fn(); // warm: plans, buffers
  await fn();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)] as number, best: times[0] as number };
}

/** Runs `from..to` (1-based ids) of one bot, through the triggers, as the recorder would leave them. */
export async function generateRuns(
  storage: Storage,
  botId: string,
  from: number,
  to: number,
  total: number,
): Promise<void> {
  // Oldest first, as runs arrive: run i of `total` starts (total - i) / total × 30 days ago.
  await sql`
    INSERT INTO workflow_execution_runs (id, bot_id, workflow_version_id, status, trigger, inputs, input_tokens,
      output_tokens, elapsed_ms, session_id, started_at, finished_at, queued_at)
    SELECT 'run-' || lpad(i::text, 8, '0'), ${botId}, 'v1', st, tr, '{}'::jsonb, 100 + i % 900, 50 + i % 300, el,
      's-' || (i % 100000), t,
      CASE WHEN st IN ('running', 'queued') THEN NULL ELSE t + el * interval '1 ms' END,
      CASE WHEN st = 'queued' THEN t WHEN i % 2 = 0 THEN t - ((i::bigint * 31) % 500) * interval '1 ms' END
    FROM (
      SELECT i,
        CASE WHEN i % 200 = 0 THEN 'running' WHEN i % 200 = 1 THEN 'queued' WHEN i % 50 = 2 THEN 'cancelled'
             WHEN i % 100 = 3 THEN 'interrupted' WHEN i % 16 = 4 THEN 'failed' ELSE 'succeeded' END AS st,
        (ARRAY['chat', 'chat', 'chat', 'chat', 'chat', 'chat', 'chat', 'api', 'api', 'debug'])[1 + i % 10] AS tr,
        (200 + (i::bigint * 7919) % 5000)::float8 AS el,
        now() - (${total} - i)::float8 / ${total} * interval '30 days' AS t
      FROM generate_series(${from}::int, ${to}::int) AS i
    ) AS g`.execute(storage.database.db);
  await sql`
    INSERT INTO workflow_node_executions (run_id, bot_id, node_id, node_type, step_index, status, inputs, outputs,
      process_data, elapsed_ms, started_at, finished_at)
    SELECT r.id, r.bot_id, k.node, k.node, k.step,
      CASE WHEN k.node = 'llm' AND r.status = 'failed' THEN 'failed' ELSE 'succeeded' END,
      '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, k.ms, r.started_at, r.started_at + k.ms * interval '1 ms'
    FROM workflow_execution_runs r
    CROSS JOIN LATERAL (VALUES
      (0, 'start', 0.05 + (hashtext(r.id) & 7) / 100.0),
      (1, 'knowledge', 5 + (hashtext(r.id) & 1023) / 40.0),
      (2, 'llm', 150 + (hashtext(r.id) & 4095)),
      (3, 'end', 0.02 + (hashtext(r.id) & 3) / 100.0)) AS k(step, node, ms)
    WHERE r.bot_id = ${botId} AND r.id >= ${`run-${String(from).padStart(8, "0")}`}
      AND r.id <= ${`run-${String(to).padStart(8, "0")}`} AND substr(r.id, 5)::int % 10 = 0
      AND r.status NOT IN ('queued')`.execute(storage.database.db);
}

/** What the statistics route computed before migration 0012: counts straight from the runs. */
async function directCounts(storage: Storage, botId: string, days: number): Promise<unknown> {
  const { rows } = await sql`
    SELECT floor(extract(epoch FROM started_at) / 86400) AS day, status, count(*), sum(input_tokens), sum(output_tokens)
    FROM workflow_execution_runs
    WHERE bot_id = ${botId} AND started_at >= now() - ${days} * interval '1 day' AND started_at < now()
    GROUP BY 1, 2`.execute(storage.database.db);
  return rows;
}

async function benchSize(storage: Storage, total: number, rows: BenchRow[], group: string): Promise<void> {
  const size = total >= 1_000_000 ? `${total / 1_000_000}M` : `${total / 1000}k`;
  const bot = await storage.bots.create({ name: `stats-${size}` });
  // Another bot's runs in the same tables: the answers and the indexes are per bot.
  const other = await storage.bots.create({ name: `noise-${size}` });
  const t0 = performance.now();
  for (let from = 1; from <= total; from += BATCH) {
    await generateRuns(storage, bot.id, from, Math.min(total, from + BATCH - 1), total);
    process.stderr.write(`  generated ${Math.min(total, from + BATCH - 1)} runs\n`);
  }
  const loadS = (performance.now() - t0) / 1000;
  await generateRuns(storage, other.id, total + 1, total + 10_000, 10_000);
  // As autovacuum would have left the tables after a month of runs: visibility map set, statistics fresh.
  await sql`VACUUM ANALYZE`.execute(storage.database.db);
  const nodes = Math.floor(total / 10) * 4;
  const note = `${size} runs over 30 days, ${nodes.toLocaleString("en")} node executions`;
  rows.push({
    group,
    name: `${size}: runs generated through the rollup triggers`,
    value: total / loadS,
    unit: "runs/s",
    note: `generate_series, ${BATCH.toLocaleString("en")} per statement, with their node executions`,
  });

  for (const window of ["24h", "7d", "30d", "90d"] as const) {
    const t = await time(() => storage.statistics.forWindow(bot.id, { window }));
    rows.push({
      group,
      name: `${size}: statistics ${window} p50`,
      value: t.p50,
      unit: "ms",
      note: `best ${t.best.toFixed(1)} ms; ${note}; target < 50 ms at 1M`,
    });
  }
  const before = await time(() => directCounts(storage, bot.id, 30));
  rows.push({
    group,
    name: `${size}: direct run counts 30d p50 (before the rollup)`,
    value: before.p50,
    unit: "ms",
    note: `best ${before.best.toFixed(1)} ms; GROUP BY day, status over the runs themselves`,
  });

  // The hot path: what the triggers cost the recorder, with this many runs in the tables.
  const recorded = await storage.bots.create({ name: `recorder-${size}` });
  const withTriggers = await recordRuns(storage, recorded.id, 2000);
  const tables = ["workflow_execution_runs", "workflow_node_executions"];
  for (const table of tables)
    await sql`ALTER TABLE ${sql.table(table)} DISABLE TRIGGER USER`.execute(storage.database.db);
  const without = await recordRuns(storage, recorded.id, 2000);
  for (const table of tables)
    await sql`ALTER TABLE ${sql.table(table)} ENABLE TRIGGER USER`.execute(storage.database.db);
  rows.push({
    group,
    name: `${size}: runs recorded (4 node executions, 8 concurrent)`,
    value: withTriggers,
    unit: "runs/s",
    note: `2,000 runs; ${without.toFixed(0)} runs/s in the same tables with the rollup triggers disabled`,
  });

  const { rows: middle } = await sql<{ ts: string; id: string }>`
    SELECT started_at::text AS ts, id FROM workflow_execution_runs WHERE bot_id = ${bot.id}
    ORDER BY started_at DESC, id DESC OFFSET ${Math.floor(total / 2)} LIMIT 1`.execute(storage.database.db);
  const deep = encodeCursor(middle[0] as { ts: string; id: string });
  const dayAgo = new Date(Date.now() - 15 * 86_400_000);
  const pages: [string, Parameters<Storage["runs"]["list"]>[1]][] = [
    ["first page", {}],
    [`page at run ${(total / 2).toLocaleString("en")} (cursor)`, { cursor: deep }],
    ["status=failed", { status: "failed" }],
    ["status=queued", { status: "queued" }],
    ["status=partial-succeeded (none)", { status: "partial-succeeded" }],
    ["trigger=debug", { trigger: "debug" }],
    ["trigger=cli (none)", { trigger: "cli" }],
    ["one session", { sessionId: "s-4242" }],
    ["one day, 15 days ago", { from: dayAgo, to: new Date(dayAgo.getTime() + 86_400_000) }],
    ["status=failed, page at the middle", { status: "failed", cursor: deep }],
  ];
  for (const [label, options] of pages) {
    const t = await time(() => storage.runs.list(bot.id, { limit: 50, ...options }));
    rows.push({
      group,
      name: `${size}: runs list ${label} p50`,
      value: t.p50,
      unit: "ms",
      note: `best ${t.best.toFixed(1)} ms; 50 per page`,
    });
  }
}

/** Appends the statistics rows; starts and stops its own PostgreSQL. */
export async function benchStatistics(rows: BenchRow[]): Promise<void> {
  const group = "storage/statistics";
  const server = await startPostgresServer({ required: false });
  if (!server) {
    rows.push({ group, name: "skipped: PostgreSQL not installed", value: Number.NaN, unit: "" });
    return;
  }
  try {
    for (const total of SIZES) {
      const databaseUrl = await server.createDatabase(`stats_${total}`);
      const database = await openDatabase({ databaseUrl, embeddingDimensions: 8, maxConnections: 4 });
      const storage = createStorage(database, { validate: () => ({ ok: true, problems: [] }) });
      try {
        await benchSize(storage, total, rows, `${group} (PostgreSQL ${server.major})`);
      } finally {
        await storage.close();
      }
    }
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const rows: BenchRow[] = [];
  await benchStatistics(rows);
  for (const row of rows) {
    console.log(`${row.name.padEnd(58)} ${row.value.toFixed(2).padStart(10)} ${row.unit.padEnd(7)} ${row.note ?? ""}`);
  }
}
