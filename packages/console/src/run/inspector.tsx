import type { NodeExecution } from "../api/api-types.ts";
import { formatJson, formatMs, formatTime } from "../components/format.ts";
import { ScrollBox } from "../components/scroll-box.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { handledByLabel } from "./outcome-labels.ts";
import { retrievedChunks } from "./retrieved-chunks.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function JsonBlock({ title, value }: { readonly title: string; readonly value: unknown }) {
  const empty = value === null || value === undefined || (isRecord(value) && Object.keys(value).length === 0);
  return (
    <details open={!empty}>
      <summary>{title}</summary>
      {empty ? <p className="muted">none</p> : <ScrollBox label={title}>{formatJson(value)}</ScrollBox>}
    </details>
  );
}

interface InspectorProps {
  readonly execution: NodeExecution;
  readonly onClose: () => void;
  /** offered for a top-level node of a run that can be resumed: re-run from this node on */
  readonly onResumeFromHere?: ((nodeId: string) => void) | undefined;
}

/** Everything recorded about one node execution. */
export function Inspector({ execution, onClose, onResumeFromHere }: InspectorProps) {
  const process = isRecord(execution.process_data) ? execution.process_data : {};
  const chunks = retrievedChunks(execution.outputs);
  const prompts = (["system_prompt", "user_prompt", "prompt"] as const).filter((k) => typeof process[k] === "string");
  return (
    <aside className="inspector" aria-labelledby="inspector-title" data-testid="inspector">
      <header>
        <h3 id="inspector-title">
          {execution.node_id}
          {execution.iteration_index !== null && ` #${execution.iteration_index + 1}`}{" "}
          <span className="muted">{execution.node_type}</span>
        </h3>
        <button type="button" onClick={onClose} aria-label="Close the inspector">
          ×
        </button>
      </header>
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={execution.status} />
        </dd>
        <dt>Elapsed</dt>
        <dd>{formatMs(execution.elapsed_ms)}</dd>
        <dt>Attempts</dt>
        <dd>{execution.attempts}</dd>
        <dt>Tokens</dt>
        <dd>
          {execution.tokens.input} in / {execution.tokens.output} out
        </dd>
        <dt>Started</dt>
        <dd>{formatTime(execution.started_at)}</dd>
        {execution.branch !== null && (
          <>
            <dt>Branch</dt>
            <dd className="mono" data-testid="inspector-branch">
              {execution.branch}
            </dd>
          </>
        )}
        {execution.handled_by !== null && (
          <>
            <dt>Failure handled</dt>
            <dd data-testid="inspector-handled-by">
              {handledByLabel(execution.handled_by)}{" "}
              <span className="muted">
                {execution.handled_by === "fail-branch"
                  ? "(the run followed its fail branch)"
                  : "(its default outputs were used)"}
              </span>
            </dd>
          </>
        )}
        {execution.parent_node_id !== null && (
          <>
            <dt>Inside</dt>
            <dd>{execution.parent_node_id}</dd>
          </>
        )}
      </dl>
      {onResumeFromHere !== undefined && execution.parent_node_id === null && (
        <p>
          <button type="button" data-testid="resume-from-here" onClick={() => onResumeFromHere(execution.node_id)}>
            Resume from here
          </button>{" "}
          <span className="muted">a new run: {execution.node_id} and everything after it run again</span>
        </p>
      )}
      {execution.error !== null && (
        <div className="state state-error" role="alert">
          <strong>{execution.error.code ?? "error"}</strong>
          <p>{execution.error.message}</p>
        </div>
      )}
      {execution.truncated && <p className="muted">Some values were stored truncated.</p>}
      {chunks.length > 0 && (
        <section aria-label="Retrieved chunks">
          <h4>Retrieved chunks ({chunks.length})</h4>
          <ol className="chunks" data-testid="retrieved-chunks">
            {chunks.map((c) => (
              <li key={`${c.documentId}:${c.chunkIndex}:${c.content.slice(0, 40)}`}>
                <div className="chunk-head">
                  <span>{c.source}</span>
                  <span className="mono">score {c.score === null ? "—" : c.score.toFixed(3)}</span>
                </div>
                <p>{c.content}</p>
              </li>
            ))}
          </ol>
        </section>
      )}
      {prompts.map((k) => (
        <section key={k} aria-label={k}>
          <h4>Rendered {k.replace("_", " ")}</h4>
          <ScrollBox label={`Rendered ${k.replace("_", " ")}`} testId="rendered-prompt">
            {String(process[k])}
          </ScrollBox>
        </section>
      ))}
      <JsonBlock title="Inputs" value={execution.inputs} />
      <JsonBlock title="Outputs" value={execution.outputs} />
      <JsonBlock title="Process data" value={execution.process_data} />
    </aside>
  );
}
