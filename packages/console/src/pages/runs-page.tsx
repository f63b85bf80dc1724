import { type FormEvent, useState } from "react";
import type { RunFilters } from "../api/api-client.ts";
import { isRunInProgress, type RunPage as RunList, type RunStatus } from "../api/api-types.ts";
import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { ErrorState } from "../components/error-state.tsx";
import { formatMs, formatTime } from "../components/format.ts";
import { LoadingState } from "../components/loading-state.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useAsync } from "../components/use-async.ts";
import { useLiveRefresh } from "../components/use-live-refresh.ts";
import { routeHash } from "../routing/parse-route.ts";

const STATUSES: readonly RunStatus[] = [
  "running",
  "succeeded",
  "partial-succeeded",
  "failed",
  "cancelled",
  "interrupted",
];
const TRIGGERS = ["chat", "api", "debug"] as const;

/** A `datetime-local` value as ISO 8601 (the API wants an offset), or undefined when empty. */
function isoOf(local: string): string | undefined {
  if (local === "") return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** What a live refresh compares: which runs, in which state. */
function fingerprint(list: RunList): string {
  return list.items.map((r) => `${r.id}:${r.status}:${r.total_steps}`).join(",");
}

/** A bot's runs, newest first: filters, and paging by the API's cursor. */
export function RunsPage({ identity, botId }: { readonly identity: Identity; readonly botId: string }) {
  const [filters, setFilters] = useState<RunFilters>({});
  // cursors of the pages before this one; the last is this page's own cursor
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const [runs, reload, refresh] = useAsync(
    (signal) => identity.client.listRuns(botId, { ...filters, ...(cursor !== undefined && { cursor }) }, signal),
    [identity, botId, filters, cursor],
  );
  const inProgress = runs.status === "done" ? runs.data.items.filter((r) => isRunInProgress(r.status)).length : 0;
  // while runs on this page are queued or running, the page refreshes itself (backing off while nothing changes)
  useLiveRefresh(inProgress > 0, async (signal) => {
    const before = runs.status === "done" ? fingerprint(runs.data) : "";
    return fingerprint(await refresh(signal)) !== before;
  });

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const status = STATUSES.filter((s) => form.getAll("status").includes(s));
    const trigger = TRIGGERS.find((t) => t === form.get("trigger"));
    const session = String(form.get("session_id") ?? "").trim();
    const from = isoOf(String(form.get("from") ?? ""));
    const to = isoOf(String(form.get("to") ?? ""));
    setFilters({
      ...(status.length > 0 && { status }),
      ...(trigger !== undefined && { trigger }),
      ...(session !== "" && { session_id: session }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
    });
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <form className="filters" onSubmit={apply} aria-label="Filter runs">
        <fieldset>
          <legend>Status</legend>
          {STATUSES.map((s) => (
            <label key={s} className="check">
              <input type="checkbox" name="status" value={s} /> {s}
            </label>
          ))}
        </fieldset>
        <label>
          Trigger
          <select name="trigger" defaultValue="">
            <option value="">any</option>
            {TRIGGERS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="datetime-local" name="from" />
        </label>
        <label>
          To <input type="datetime-local" name="to" />
        </label>
        <label>
          Session <input type="text" name="session_id" placeholder="session id" />
        </label>
        <button type="submit">Apply filters</button>
      </form>
      {runs.status === "loading" && <LoadingState what="runs" />}
      {runs.status === "error" && <ErrorState error={runs.error} onRetry={reload} />}
      {runs.status === "done" && runs.data.items.length === 0 && (
        <EmptyState title={Object.keys(filters).length > 0 ? "No run matches these filters" : "No runs yet"}>
          Runs appear here when the bot answers a chat (try the Playground) or a draft is run.
        </EmptyState>
      )}
      {runs.status === "done" && runs.data.items.length > 0 && (
        <>
          {inProgress > 0 && (
            <p className="live" role="status" data-testid="live-indicator">
              <span className="live-dot" aria-hidden="true" />
              {inProgress === 1 ? "1 run" : `${inProgress} runs`} in progress: this list refreshes itself.
            </p>
          )}
          <table className="table" data-testid="runs-table">
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Status</th>
                <th scope="col">Trigger</th>
                <th scope="col">Steps</th>
                <th scope="col">Tokens</th>
                <th scope="col">Elapsed</th>
                <th scope="col">Session</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <a href={routeHash({ page: "run", botId, runId: run.id })}>{formatTime(run.started_at)}</a>
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td>{run.trigger}</td>
                  <td>{run.total_steps}</td>
                  <td>{run.tokens.input + run.tokens.output}</td>
                  <td>{formatMs(run.elapsed_ms)}</td>
                  <td className="mono">{run.session_id ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="pager">
            <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Newer
            </button>
            <button
              type="button"
              disabled={runs.data.next_cursor === null}
              onClick={() => {
                const next = runs.data.next_cursor;
                if (next !== null) setCursors((c) => [...c, next]);
              }}
            >
              Older
            </button>
          </div>
        </>
      )}
    </section>
  );
}
