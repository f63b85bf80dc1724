import type { CallOptions } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import type { Database } from "./database-schema.ts";

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

/** One bucket of the window (an hour for `24h`, else a UTC day), present even when nothing ran. */
export interface StatisticsBucket {
  /** The bucket's start (UTC). */
  readonly start: Date;
  readonly total: number;
  /** Runs started in the bucket, per stored status (only statuses that occur). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly tokens: { readonly input: number; readonly output: number };
}

/** Latency of one node type over the node executions that finished in the window. */
export interface NodeTypeLatency {
  readonly nodeType: string;
  readonly executions: number;
  readonly failures: number;
  /** Interpolated (PostgreSQL `percentile_cont`), to 0.1 ms. */
  readonly p50Ms: number;
  readonly p95Ms: number;
}

export interface BotStatistics {
  readonly window: StatisticsWindow;
  readonly bucket: "hour" | "day";
  readonly from: Date;
  readonly to: Date;
  readonly totalRuns: number;
  /** Runs that ended (not `running` or `queued`). */
  readonly finishedRuns: number;
  /** `failed` + `interrupted` runs. */
  readonly failedRuns: number;
  /** `failedRuns / finishedRuns`; null when none finished. */
  readonly failureRate: number | null;
  readonly tokens: { readonly input: number; readonly output: number };
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
    // Epoch seconds of the bucket start: the same arithmetic on PostgreSQL 15 and PGlite, no time zone involved.
    const seconds = step / 1000;
    const bucketExpr = sql<number>`(floor(extract(epoch from started_at) / ${sql.lit(seconds)}) * ${sql.lit(seconds)})::float8`;

    const [runRows, nodeRows] = await Promise.all([
      this.db
        .selectFrom("workflow_execution_runs")
        .where("bot_id", "=", botId)
        .where("started_at", ">=", from)
        .where("started_at", "<", to)
        .select([
          bucketExpr.as("bucket"),
          "status",
          sql<number>`count(*)::int`.as("n"),
          sql<number>`coalesce(sum(input_tokens), 0)::float8`.as("input_tokens"),
          sql<number>`coalesce(sum(output_tokens), 0)::float8`.as("output_tokens"),
        ])
        .groupBy([sql`1`, "status"])
        .execute(),
      this.db
        .selectFrom("workflow_node_executions")
        .where("bot_id", "=", botId)
        .where("finished_at", ">=", from)
        .where("finished_at", "<", to)
        .select([
          "node_type",
          sql<number>`count(*)::int`.as("executions"),
          sql<number>`(count(*) FILTER (WHERE status = 'failed'))::int`.as("failures"),
          sql<number>`(percentile_cont(0.5) WITHIN GROUP (ORDER BY elapsed_ms))::float8`.as("p50"),
          sql<number>`(percentile_cont(0.95) WITHIN GROUP (ORDER BY elapsed_ms))::float8`.as("p95"),
        ])
        .groupBy("node_type")
        .orderBy("node_type")
        .execute(),
    ]);

    const buckets = new Map(
      starts.map((start) => [
        start.getTime(),
        { start, total: 0, byStatus: {} as Record<string, number>, tokens: { input: 0, output: 0 } },
      ]),
    );
    let totalRuns = 0;
    let finishedRuns = 0;
    let failedRuns = 0;
    const tokens = { input: 0, output: 0 };
    for (const row of runRows) {
      const n = Number(row.n);
      const entry = buckets.get(Number(row.bucket) * 1000);
      if (entry !== undefined) {
        entry.total += n;
        entry.byStatus[row.status] = (entry.byStatus[row.status] ?? 0) + n;
        entry.tokens.input += Number(row.input_tokens);
        entry.tokens.output += Number(row.output_tokens);
      }
      totalRuns += n;
      if (!UNFINISHED.has(row.status)) finishedRuns += n;
      if (FAILED.has(row.status)) failedRuns += n;
      tokens.input += Number(row.input_tokens);
      tokens.output += Number(row.output_tokens);
    }
    return {
      window,
      bucket,
      from,
      to,
      totalRuns,
      finishedRuns,
      failedRuns,
      failureRate: finishedRuns > 0 ? failedRuns / finishedRuns : null,
      tokens,
      buckets: [...buckets.values()],
      nodeTypes: nodeRows.map((row) => ({
        nodeType: row.node_type,
        executions: Number(row.executions),
        failures: Number(row.failures),
        p50Ms: tenthOfMs(Number(row.p50)),
        p95Ms: tenthOfMs(Number(row.p95)),
      })),
    };
  }
}
