import { useCallback, useMemo, useState } from "react";
import { ApiError } from "../api/api-error.ts";
import { isRunInProgress, type NodeExecution, type RunDetail } from "../api/api-types.ts";
import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { ErrorState } from "../components/error-state.tsx";
import { formatMs, formatTime } from "../components/format.ts";
import { LoadingState } from "../components/loading-state.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useAsync } from "../components/use-async.ts";
import { useLiveRefresh } from "../components/use-live-refresh.ts";
import { useNow } from "../components/use-now.ts";
import { WorkflowGraph } from "../graph/workflow-graph.tsx";
import { workflowGraphModel } from "../graph/workflow-graph-model.ts";
import { executionKey, isFinalStatus, liveExecutions } from "../live/live-run-state.ts";
import { mergeExecutions } from "../live/merge-executions.ts";
import { type RunEventsStatus, useRunEvents } from "../live/use-run-events.ts";
import { routeHash } from "../routing/parse-route.ts";
import { Inspector } from "../run/inspector.tsx";
import { nodeStatuses } from "../run/node-statuses.ts";
import { runActions } from "../run/run-actions.ts";
import { RunControls } from "../run/run-controls.tsx";
import { type RunOrigin, runOrigin } from "../run/run-origins.ts";
import { useRunActions } from "../run/use-run-actions.ts";
import { Waterfall } from "../run/waterfall.tsx";

interface RunPageProps {
  readonly identity: Identity;
  readonly botId: string;
  readonly runId: string;
}

function progressOf(run: RunDetail): string {
  return `${run.status}:${run.node_executions.length}`;
}

/** After the stream's run.finished the record is due at once: look quickly, then back off. */
const REFRESH_AFTER_STREAM = Object.freeze({ initialMs: 50, maxMs: 5000, factor: 2 });
const REFRESH_WHILE_STREAMING = Object.freeze({ initialMs: 10_000, maxMs: 30_000, factor: 1.5 });

const STREAM_NOTES: Partial<Record<RunEventsStatus, string>> = {
  connecting: "connecting to its event stream…",
  live: "the page follows its event stream as nodes start and finish.",
  reconnecting: "the event stream dropped; reconnecting (it continues where it left off)…",
  failed: "its event stream is unavailable, so the page reloads it as its nodes finish.",
};

/** One run: header, waterfall, the version's graph coloured by node status, and an inspector. */
export function RunPage({ identity, botId, runId }: RunPageProps) {
  const [run, reload, refresh] = useAsync(
    (signal) => identity.client.getRun(botId, runId, signal),
    [identity, botId, runId],
  );
  const live = run.status === "done" && isRunInProgress(run.data.status);
  // while it is in progress the run's event stream shows each node as it starts and ends
  const events = useRunEvents(identity.client, botId, runId, live);
  const streamEnded = isFinalStatus(events.state.status);
  // Polled quickly after the stream's run.finished (until the record shows the end too) or when
  // the stream is unavailable; slowly while it streams, in case a run ends without an event (its
  // process died and it was marked interrupted).
  const pollFast = streamEnded || events.status === "failed";
  useLiveRefresh(
    live,
    async (signal) => {
      const before = run.status === "done" ? progressOf(run.data) : "";
      return progressOf(await refresh(signal)) !== before;
    },
    pollFast ? REFRESH_AFTER_STREAM : REFRESH_WHILE_STREAMING,
  );
  const now = useNow(live && !streamEnded);
  const versionId = run.status === "done" ? run.data.workflow_version_id : null;
  const [version] = useAsync(
    async (signal) => (versionId === null ? null : identity.client.getVersion(botId, versionId, signal)),
    [identity, botId, versionId],
  );
  const [selected, setSelected] = useState<NodeExecution | null>(null);
  const recorded = run.status === "done" ? run.data.node_executions : [];
  const following = live && events.state.nodes.size > 0;
  // statuses change with events only; the bars of running nodes also grow with the clock
  const statusExecutions = useMemo(
    () => (following ? mergeExecutions(recorded, liveExecutions(events.state, 0)) : recorded),
    [following, recorded, events.state],
  );
  const executions = useMemo(
    () => (following ? mergeExecutions(recorded, liveExecutions(events.state, now)) : recorded),
    [following, recorded, events.state, now],
  );
  const statuses = useMemo(() => nodeStatuses(statusExecutions), [statusExecutions]);
  const model = useMemo(
    () => (version.status === "done" && version.data !== null ? workflowGraphModel(version.data.graph) : null),
    [version],
  );
  const reloadRun = useCallback(() => {
    refresh(new AbortController().signal).catch(() => undefined); // a failed reload shows on the next one
  }, [refresh]);
  const actions = useRunActions(identity, botId, runId, reloadRun);
  // the selection follows its node as live records replace running ones and the record replaces both
  const shown =
    selected === null
      ? null
      : ((selected.id === null ? undefined : executions.find((e) => e.id === selected.id)) ??
        executions.find(
          (e) =>
            executionKey(e.node_id, e.parent_node_id, e.iteration_index) ===
            executionKey(selected.node_id, selected.parent_node_id, selected.iteration_index),
        ) ??
        selected);

  if (run.status === "loading") return <LoadingState what="the run" />;
  if (run.status === "error") return <ErrorState error={run.error} onRetry={reload} />;
  const r = run.data;
  const status = live && events.state.status !== "queued" ? events.state.status : r.status;
  // the recorded link wins; the tab's memory adds the node a resume started from, and reruns
  const remembered = runOrigin(r.id);
  const origin: RunOrigin | undefined =
    r.resumed_from !== null
      ? { ...remembered, kind: "resume", fromRunId: r.resumed_from }
      : remembered?.kind === "rerun"
        ? remembered
        : undefined;
  const topLevelNodes =
    model !== null
      ? model.nodes.filter((n) => n.parentId === null).map((n) => n.id)
      : [...new Set(executions.filter((e) => e.parent_node_id === null).map((e) => e.node_id))];
  const canResume = runActions(status, actions.busy !== null).resume.enabled;
  const streamNote = STREAM_NOTES[events.status];
  // a run in progress has no recorded elapsed time yet: count it from the stream's start
  const liveStart = events.state.startedAt;
  const elapsedMs = r.elapsed_ms ?? (live && liveStart !== null ? Math.max(0, now - liveStart) : null);
  const selectNode = (nodeId: string) => {
    // the graph has one node per id: inspect its last execution (the last round or attempt)
    const last = executions.filter((e) => e.node_id === nodeId).at(-1);
    if (last !== undefined) setSelected(last);
  };
  const versionLabel =
    version.status === "done" && version.data !== null
      ? version.data.version_number !== null
        ? `v${version.data.version_number}`
        : version.data.status
      : r.workflow_version_id === null
        ? "V1 workflow"
        : "…";
  return (
    <section aria-labelledby="run-title" data-testid="run-page">
      <h2 id="run-title">
        Run <span className="mono">{r.id}</span> <StatusBadge status={status} />
      </h2>
      {origin !== undefined && (
        <p data-testid="run-origin">
          {origin.kind === "resume" ? "Resumed from" : "Rerun of"} run{" "}
          <a href={routeHash({ page: "run", botId, runId: origin.fromRunId })} className="mono">
            {origin.fromRunId}
          </a>
          {origin.fromNode !== undefined && ` (from node ${origin.fromNode})`}
        </p>
      )}
      {live && (
        <p className="live" role="status" data-testid="live-indicator" data-stream={events.status}>
          <span className="live-dot" aria-hidden="true" />
          This run is {status}: {streamNote ?? "loading its record…"}
        </p>
      )}
      <RunControls status={status} actions={actions} nodeIds={topLevelNodes} />
      <dl className="facts run-facts">
        <dt>Version</dt>
        <dd data-testid="run-version">{versionLabel}</dd>
        <dt>Trigger</dt>
        <dd>{r.trigger}</dd>
        <dt>Started</dt>
        <dd>{formatTime(r.started_at)}</dd>
        <dt>Elapsed</dt>
        <dd>{formatMs(elapsedMs)}</dd>
        <dt>Steps</dt>
        <dd>{r.total_steps}</dd>
        <dt>Tokens</dt>
        <dd>
          {r.tokens.input} in / {r.tokens.output} out
        </dd>
        <dt>Session</dt>
        <dd className="mono">{r.session_id ?? "—"}</dd>
      </dl>
      {r.error !== null && (
        <div className="state state-error" role="alert">
          <strong>
            {r.error.code ?? "error"}
            {r.error.node_id !== undefined && ` at ${r.error.node_id}`}
          </strong>
          <p>{r.error.message}</p>
        </div>
      )}
      <div className={`run-body${shown !== null ? " with-inspector" : ""}`}>
        <div className="run-main">
          <h3>Timeline</h3>
          {executions.length === 0 ? (
            <EmptyState title="No node ran">The run stopped before its first node started.</EmptyState>
          ) : (
            <Waterfall
              executions={executions}
              runStartedAt={r.started_at}
              selectedId={shown?.id ?? null}
              onSelect={setSelected}
            />
          )}
          <h3>Graph</h3>
          {version.status === "loading" && <LoadingState what="the workflow graph" />}
          {version.status === "error" &&
            (version.error instanceof ApiError && version.error.status === 404 ? (
              <EmptyState title="This run's workflow version is gone" />
            ) : (
              <ErrorState error={version.error} />
            ))}
          {version.status === "done" && model === null && (
            <EmptyState title="No graph">This run used the bot's V1 workflow, which has no stored version.</EmptyState>
          )}
          {model !== null && (
            <WorkflowGraph
              model={model}
              statuses={statuses}
              selectedNodeId={shown?.node_id ?? null}
              onSelectNode={selectNode}
              label="The run's workflow, nodes coloured by status"
            />
          )}
        </div>
        {shown !== null && (
          <Inspector
            execution={shown}
            onClose={() => setSelected(null)}
            onResumeFromHere={canResume ? actions.resume : undefined}
          />
        )}
      </div>
    </section>
  );
}
