import type { CallOptions } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import type { Database } from "./database-schema.ts";
import { type LatencyBucketCount, latencyPercentile } from "./latency-histogram.ts";

/** How long a statistics window is: the last day (hourly buckets), or 7, 30 or 90 days (daily buckets). */
export type StatisticsWindow = "24h" | "7d" | "30d" | "90d";
export const STATISTICS_WINDOWS: readonly StatisticsWindow[] = Object.freeze(["24h", "7d", "30d", "90d"]);

/** Each window in buckets: the current (partial) bucket and the whole ones before it. */
const WINDOW_BUCKETS: Readonly<Record<StatisticsWindow, { readonly unit: "hour" | "day"; readonly count: number }>> = {
  "24h": { unit: "hour", count: 24 },
  "7d": { unit: "day", count: 7 },
  "30d": { unit: "day", count: 30 },
  "90d": { unit: "day", count: 90 },
};
const UNIT_MS = { hour: 3_600_000, day: 86_400_000 } as const;

export interface BotStatisticsOptions extends CallOptions {
  /** Default `7d`. */
  readonly window?: StatisticsWindow;
  /**
   * The window's end (exclusive). Default: now. The window starts so that it holds exactly its
   * buckets (24 hours, 7/30/90 UTC days), the one holding `to` being the last.
   */
  readonly to?: Date;
}

/** Runs that waited in the queue (queued → started) and how long, on average. */
export interface QueueWait {
  /** Runs that have started after being queued (not those still queued or cancelled there). */
  readonly runs: number;
  /** Mean wait, to 0.001 ms; null when no run waited. */
  readonly avgMs: number | null;
}

/** One bucket of the window (an hour for `24h`, else a UTC day), present even when nothing ran. */
export interface StatisticsBucket {
  /** The bucket's start (UTC). */
  readonly start: Date;
  readonly total: number;
  /** Runs started in the bucket, per stored status (only statuses that occur). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly queueWait: QueueWait;
}

/** Latency of one node type over the node executions that finished in the window. */
export interface NodeTypeLatency {
  readonly nodeType: string;
  readonly executions: number;
  readonly failures: number;
  /**
   * As PostgreSQL's `percentile_cont` would give, read from latency buckets 2.2 % wide
   * (see latency-histogram.ts): within 2.2 % of the exact value, to 0.1 ms.
   */
  readonly p50Ms: number;
  readonly p95Ms: number;
}

export interface BotStatistics {
  readonly window: StatisticsWindow;
  readonly bucket: "hour" | "day";
  readonly from: Date;
  readonly to: Date;
  readonly totalRuns: number;
  /** Runs of the window per stored status (only statuses that occur). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Runs that ended (not `running` or `queued`). */
  readonly finishedRuns: number;
  /** `failed` + `interrupted` runs. */
  readonly failedRuns: number;
  /** `failedRuns / finishedRuns`; null when none finished. */
  readonly failureRate: number | null;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly queueWait: QueueWait;
  /** Oldest first, covering the whole window. */
  readonly buckets: readonly StatisticsBucket[];
  /** By node type, alphabetically. */
  readonly nodeTypes: readonly NodeTypeLatency[];
}

/** Aggregates of a bot's runs for the console's statistics page. */
export interface BotStatisticsRepository {
  forWindow(botId: string, options?: BotStatisticsOptions): Promise<BotStatistics>;
}

// Runs not yet ended: excluded from the failure rate. `queued` exists once runs are submitted first.
const UNFINISHED = new Set(["running", "queued"]);
const FAILED = new Set(["failed", "interrupted"]);

/** Percentiles interpolate: 0.1 ms is as fine as a latency is worth showing. */
const tenthOfMs = (ms: number): number => Math.round(ms * 10) / 10;

interface NodeBucketRow {
  readonly node_type: string;
  readonly bucket: number;
  readonly executions: number;
  readonly failures: number;
}

/** Rows of several sources (rollup, raw edges) may hold the same bucket: they add up. */
function toNodeTypes(rows: readonly NodeBucketRow[]): NodeTypeLatency[] {
  const byType = new Map<string, { failures: number; counts: LatencyBucketCount[] }>();
  for (const row of rows) {
    const entry = byType.get(row.node_type) ?? { failures: 0, counts: [] };
    entry.failures += Number(row.failures);
    entry.counts.push({ bucket: Number(row.bucket), count: Number(row.executions) });
    byType.set(row.node_type, entry);
  }
  return [...byType.entries()]
    .map(([nodeType, { failures, counts }]) => ({
      nodeType,
      executions: counts.reduce((sum, c) => sum + c.count, 0),
      failures,
      p50Ms: tenthOfMs(latencyPercentile(counts, 0.5)),
      p95Ms: tenthOfMs(latencyPercentile(counts, 0.95)),
    }))
    .filter((t) => t.executions > 0)
    .sort((a, b) => (a.nodeType < b.nodeType ? -1 : a.nodeType > b.nodeType ? 1 : 0));
}

interface Tally {
  runs: number;
  input: number;
  output: number;
  waitedRuns: number;
  waitUs: number;
}

const emptyTally = (): Tally => ({ runs: 0, input: 0, output: 0, waitedRuns: 0, waitUs: 0 });

function addTally(into: Tally, row: Tally): void {
  into.runs += row.runs;
  into.input += row.input;
  into.output += row.output;
  into.waitedRuns += row.waitedRuns;
  into.waitUs += row.waitUs;
}

const toQueueWait = (t: Tally): QueueWait => ({
  runs: t.waitedRuns,
  avgMs: t.waitedRuns > 0 ? Math.round(t.waitUs / t.waitedRuns) / 1000 : null,
});

/**
 * The statistics of a bot's runs (the one implementation behind the statistics routes). Runs are
 * counted from the hourly rollup `run_statistics_hourly` (migration 0012, exact: kept by triggers)
 * for the whole hours of the window and from the runs themselves for the partial hour it ends in,
 * so a window costs about the same at a thousand runs as at a million. Node types come from the
 * latency bucket counts of `node_statistics_daily` for whole days, the executions themselves for
 * the partial days at the window's ends.
 */
export class KyselyBotStatisticsRepository implements BotStatisticsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async forWindow(botId: string, options: BotStatisticsOptions = {}): Promise<BotStatistics> {
    options.signal?.throwIfAborted();
    const window = options.window ?? "7d";
    const to = options.to ?? new Date();
    const { unit: bucket, count } = WINDOW_BUCKETS[window];
    const step = UNIT_MS[bucket];
    const end = Math.ceil(to.getTime() / step) * step;
    const starts = Array.from({ length: count }, (_, i) => new Date(end - (count - i) * step));
    const from = starts[0] as Date;
    // Whole hours come from the rollup, the rest (at most an hour) from the runs.
    const cut = new Date(Math.max(from.getTime(), Math.floor(to.getTime() / UNIT_MS.hour) * UNIT_MS.hour));
    // Epoch seconds of the bucket start: the same arithmetic on PostgreSQL 15 and PGlite, no time zone involved.
    const seconds = sql.lit(step / 1000);
    const bucketOf = (column: string) =>
      sql<number>`(floor(extract(epoch from ${sql.ref(column)}) / ${seconds}) * ${seconds})::float8`;
    const waitUs = sql`portflow_queue_wait_us(status, queued_at, started_at)`;

    const rolledUp = this.db
      .selectFrom("run_statistics_hourly")
      .where("bot_id", "=", botId)
      .where("hour", ">=", from)
      .where("hour", "<", cut)
      .select([
        bucketOf("hour").as("bucket"),
        "status",
        sql<number>`sum(runs)::float8`.as("runs"),
        sql<number>`sum(input_tokens)::float8`.as("input"),
        sql<number>`sum(output_tokens)::float8`.as("output"),
        sql<number>`sum(waited_runs)::float8`.as("waited_runs"),
        sql<number>`sum(wait_us)::float8`.as("wait_us"),
      ])
      .groupBy([sql`1`, "status"]);
    const recent = this.db
      .selectFrom("workflow_execution_runs")
      .where("bot_id", "=", botId)
      .where("started_at", ">=", cut)
      .where("started_at", "<", to)
      .select([
        bucketOf("started_at").as("bucket"),
        "status",
        sql<number>`count(*)::float8`.as("runs"),
        sql<number>`coalesce(sum(input_tokens), 0)::float8`.as("input"),
        sql<number>`coalesce(sum(output_tokens), 0)::float8`.as("output"),
        sql<number>`count(${waitUs})::float8`.as("waited_runs"),
        sql<number>`coalesce(sum(${waitUs}), 0)::float8`.as("wait_us"),
      ])
      .groupBy([sql`1`, "status"]);

    const [runRows, nodeRows] = await Promise.all([
      rolledUp.unionAll(recent).execute(),
      this.nodeBuckets(botId, from, to),
    ]);
    options.signal?.throwIfAborted();

    const buckets = new Map(
      starts.map((start) => [start.getTime(), { start, byStatus: {} as Record<string, number>, tally: emptyTally() }]),
    );
    const total = emptyTally();
    const byStatus: Record<string, number> = {};
    let finishedRuns = 0;
    let failedRuns = 0;
    for (const row of runRows) {
      const tally: Tally = {
        runs: Number(row.runs),
        input: Number(row.input),
        output: Number(row.output),
        waitedRuns: Number(row.waited_runs),
        waitUs: Number(row.wait_us),
      };
      if (tally.runs === 0) continue;
      const entry = buckets.get(Number(row.bucket) * 1000);
      if (entry !== undefined) {
        addTally(entry.tally, tally);
        entry.byStatus[row.status] = (entry.byStatus[row.status] ?? 0) + tally.runs;
      }
      addTally(total, tally);
      byStatus[row.status] = (byStatus[row.status] ?? 0) + tally.runs;
      if (!UNFINISHED.has(row.status)) finishedRuns += tally.runs;
      if (FAILED.has(row.status)) failedRuns += tally.runs;
    }
    return {
      window,
      bucket,
      from,
      to,
      totalRuns: total.runs,
      byStatus,
      finishedRuns,
      failedRuns,
      failureRate: finishedRuns > 0 ? failedRuns / finishedRuns : null,
      tokens: { input: total.input, output: total.output },
      queueWait: toQueueWait(total),
      buckets: [...buckets.values()].map(({ start, byStatus, tally }) => ({
        start,
        total: tally.runs,
        byStatus,
        tokens: { input: tally.input, output: tally.output },
        queueWait: toQueueWait(tally),
      })),
      nodeTypes: toNodeTypes(nodeRows),
    };
  }

  /**
   * Latency bucket counts per node type for node executions finished in [from, to): whole UTC days
   * from `node_statistics_daily`, the partial days at either end from the executions themselves.
   */
  private async nodeBuckets(botId: string, from: Date, to: Date): Promise<NodeBucketRow[]> {
    const day = UNIT_MS.day;
    const firstDay = Math.ceil(from.getTime() / day) * day;
    const lastDay = Math.floor(to.getTime() / day) * day;
    const raw = (start: Date, end: Date) =>
      this.db
        .selectFrom("workflow_node_executions")
        .where("bot_id", "=", botId)
        .where("finished_at", ">=", start)
        .where("finished_at", "<", end)
        .select([
          "node_type",
          sql<number>`portflow_latency_bucket(elapsed_ms)`.as("bucket"),
          sql<number>`count(*)::int`.as("executions"),
          sql<number>`(count(*) FILTER (WHERE status = 'failed'))::int`.as("failures"),
        ])
        .groupBy([sql`1`, sql`2`]);
    if (firstDay >= lastDay) return raw(from, to).execute();
    const rolledUp = this.db
      .selectFrom("node_statistics_daily")
      .where("bot_id", "=", botId)
      .where("day", ">=", new Date(firstDay))
      .where("day", "<", new Date(lastDay))
      .select([
        "node_type",
        sql<number>`latency_bucket`.as("bucket"),
        sql<number>`sum(executions)::int`.as("executions"),
        sql<number>`sum(failures)::int`.as("failures"),
      ])
      .groupBy(["node_type", "latency_bucket"]);
    return rolledUp
      .unionAll(raw(from, new Date(firstDay)))
      .unionAll(raw(new Date(lastDay), to))
      .execute();
  }
}
