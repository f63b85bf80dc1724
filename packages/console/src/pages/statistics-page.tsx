import { useMemo, useState } from "react";
import type { BotStatistics, StatisticsWindow } from "../api/api-types.ts";
import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { ErrorState } from "../components/error-state.tsx";
import { formatMs } from "../components/format.ts";
import { LoadingState } from "../components/loading-state.tsx";
import { useAsync } from "../components/use-async.ts";
import { bucketLabel, stackColumns } from "../statistics/stack-columns.ts";
import { StackedBarChart } from "../statistics/stacked-bar-chart.tsx";

const WINDOWS: readonly { readonly value: StatisticsWindow; readonly label: string }[] = [
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "90d", label: "Last 90 days" },
];

const STATUS_ORDER = ["succeeded", "partial-succeeded", "failed", "interrupted", "cancelled", "running", "queued"];
const STATUS_COLOURS: Readonly<Record<string, string>> = {
  succeeded: "#1a7f37",
  "partial-succeeded": "#9a6700",
  failed: "#cf222e",
  interrupted: "#bc4c00",
  cancelled: "#8c959f",
  running: "#0969da",
  queued: "#8250df",
};
const TOKEN_COLOURS: Readonly<Record<string, string>> = { input: "#0969da", output: "#8250df" };

function percent(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(1)} %`;
}

/** A bot's statistics: runs per bucket by status, tokens, failure rate, latency per node type. */
export function StatisticsPage({ identity, botId }: { readonly identity: Identity; readonly botId: string }) {
  const [window, setWindow] = useState<StatisticsWindow>("7d");
  const [stats, reload] = useAsync(
    (signal) => identity.client.getStatistics(botId, window, signal),
    [identity, botId, window],
  );
  return (
    <section aria-labelledby="statistics-title">
      <h2 id="statistics-title">Statistics</h2>
      <label className="inline-field">
        Window{" "}
        <select value={window} onChange={(e) => setWindow(e.target.value as StatisticsWindow)}>
          {WINDOWS.map((w) => (
            <option key={w.value} value={w.value}>
              {w.label}
            </option>
          ))}
        </select>
      </label>
      {stats.status === "loading" && <LoadingState what="statistics" />}
      {stats.status === "error" && <ErrorState error={stats.error} onRetry={reload} />}
      {stats.status === "done" && <StatisticsBody stats={stats.data} />}
    </section>
  );
}

function StatisticsBody({ stats }: { readonly stats: BotStatistics }) {
  const runs = useMemo(
    () =>
      stackColumns(
        stats.buckets.map((b) => ({ label: bucketLabel(b.start, stats.bucket), values: b.by_status })),
        STATUS_ORDER,
      ),
    [stats],
  );
  const tokens = useMemo(
    () =>
      stackColumns(
        stats.buckets.map((b) => ({ label: bucketLabel(b.start, stats.bucket), values: { ...b.tokens } })),
        ["input", "output"],
      ),
    [stats],
  );
  const per = stats.bucket === "hour" ? "hour (UTC)" : "day (UTC)";
  return (
    <div data-testid="statistics">
      <dl className="facts">
        <dt>Runs</dt>
        <dd data-testid="stat-total-runs">{stats.total_runs}</dd>
        <dt>Failure rate</dt>
        <dd data-testid="stat-failure-rate">
          {percent(stats.failure_rate)}{" "}
          <span className="muted">
            ({stats.failed_runs} of {stats.finished_runs} finished)
          </span>
        </dd>
        <dt>Tokens</dt>
        <dd>
          {stats.tokens.input} in / {stats.tokens.output} out
        </dd>
      </dl>
      {stats.total_runs === 0 ? (
        <EmptyState title="No runs in this window">
          Runs are counted when the bot answers a chat or a draft is run; pick a longer window to look further back.
        </EmptyState>
      ) : (
        <>
          <h3>Runs per {per}, by status</h3>
          <StackedBarChart
            data={runs}
            title={`Runs per ${per} by status`}
            unit="runs"
            colours={STATUS_COLOURS}
            testId="runs-chart"
          />
          <h3>Tokens per {per}</h3>
          <StackedBarChart
            data={tokens}
            title={`Tokens per ${per}`}
            unit="tokens"
            colours={TOKEN_COLOURS}
            testId="tokens-chart"
          />
        </>
      )}
      <h3>Latency per node type</h3>
      {stats.node_types.length === 0 ? (
        <EmptyState title="No node ran in this window" />
      ) : (
        <table className="table" data-testid="node-latency-table">
          <thead>
            <tr>
              <th scope="col">Node type</th>
              <th scope="col">Executions</th>
              <th scope="col">Failures</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {stats.node_types.map((n) => (
              <tr key={n.node_type}>
                <th scope="row">{n.node_type}</th>
                <td>{n.executions}</td>
                <td>{n.failures}</td>
                <td>{formatMs(n.p50_ms)}</td>
                <td>{formatMs(n.p95_ms)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
