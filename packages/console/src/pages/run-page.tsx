import { useMemo, useState } from "react";
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
import { WorkflowGraph } from "../graph/workflow-graph.tsx";
import { workflowGraphModel } from "../graph/workflow-graph-model.ts";
import { Inspector } from "../run/inspector.tsx";
import { nodeStatuses } from "../run/node-statuses.ts";
import { Waterfall } from "../run/waterfall.tsx";

interface RunPageProps {
  readonly identity: Identity;
  readonly botId: string;
  readonly runId: string;
}

function progressOf(run: RunDetail): string {
  return `${run.status}:${run.node_executions.length}`;
}

/** One run: header, waterfall, the version's graph coloured by node status, and an inspector. */
export function RunPage({ identity, botId, runId }: RunPageProps) {
  const [run, reload, refresh] = useAsync(
    (signal) => identity.client.getRun(botId, runId, signal),
    [identity, botId, runId],
  );
  const live = run.status === "done" && isRunInProgress(run.data.status);
  // a run in progress is shown as it goes: its finished nodes appear, then its end
  useLiveRefresh(live, async (signal) => {
    const before = run.status === "done" ? progressOf(run.data) : "";
    return progressOf(await refresh(signal)) !== before;
  });
  const versionId = run.status === "done" ? run.data.workflow_version_id : null;
  const [version] = useAsync(
    async (signal) => (versionId === null ? null : identity.client.getVersion(botId, versionId, signal)),
    [identity, botId, versionId],
  );
  const [selected, setSelected] = useState<NodeExecution | null>(null);
  const executions = run.status === "done" ? run.data.node_executions : [];
  const statuses = useMemo(() => nodeStatuses(executions), [executions]);
  const model = useMemo(
    () => (version.status === "done" && version.data !== null ? workflowGraphModel(version.data.graph) : null),
    [version],
  );

  if (run.status === "loading") return <LoadingState what="the run" />;
  if (run.status === "error") return <ErrorState error={run.error} onRetry={reload} />;
  const r = run.data;
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
        Run <span className="mono">{r.id}</span> <StatusBadge status={r.status} />
      </h2>
      {live && (
        <p className="live" role="status" data-testid="live-indicator">
          <span className="live-dot" aria-hidden="true" />
          This run is {r.status}: the page follows it as its nodes finish.
        </p>
      )}
      <dl className="facts run-facts">
        <dt>Version</dt>
        <dd data-testid="run-version">{versionLabel}</dd>
        <dt>Trigger</dt>
        <dd>{r.trigger}</dd>
        <dt>Started</dt>
        <dd>{formatTime(r.started_at)}</dd>
        <dt>Elapsed</dt>
        <dd>{formatMs(r.elapsed_ms)}</dd>
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
      <div className={`run-body${selected !== null ? " with-inspector" : ""}`}>
        <div className="run-main">
          <h3>Timeline</h3>
          {executions.length === 0 ? (
            <EmptyState title="No node ran">The run stopped before its first node started.</EmptyState>
          ) : (
            <Waterfall
              executions={executions}
              runStartedAt={r.started_at}
              selectedId={selected?.id ?? null}
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
              selectedNodeId={selected?.node_id ?? null}
              onSelectNode={selectNode}
              label="The run's workflow, nodes coloured by status"
            />
          )}
        </div>
        {selected !== null && <Inspector execution={selected} onClose={() => setSelected(null)} />}
      </div>
    </section>
  );
}
