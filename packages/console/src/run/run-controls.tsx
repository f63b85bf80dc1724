import { useId, useState } from "react";
import { isRunInProgress } from "../api/api-types.ts";
import type { ActionAvailability } from "./run-actions.ts";
import { runActions } from "./run-actions.ts";
import type { RunActionsState } from "./use-run-actions.ts";

interface RunControlsProps {
  readonly status: string;
  readonly actions: RunActionsState;
  /** the run's top-level nodes, in graph order: where a resume may start */
  readonly nodeIds: readonly string[];
}

function ActionButton(props: {
  readonly label: string;
  readonly busyLabel: string;
  readonly busy: boolean;
  readonly availability: ActionAvailability;
  readonly onClick: () => void;
  readonly testId: string;
}) {
  const reasonId = useId();
  const { availability } = props;
  return (
    <div className="run-action">
      <button
        type="button"
        data-testid={props.testId}
        disabled={!availability.enabled}
        aria-describedby={availability.reason === null ? undefined : reasonId}
        onClick={props.onClick}
      >
        {props.busy ? props.busyLabel : props.label}
      </button>
      {availability.reason !== null && !props.busy && (
        <span id={reasonId} className="muted run-action-reason">
          {availability.reason}
        </span>
      )}
    </div>
  );
}

/** Cancel, Resume (from the failed node or a chosen one) and Rerun, each disabled with its reason when it does not apply. */
export function RunControls({ status, actions, nodeIds }: RunControlsProps) {
  const [fromNode, setFromNode] = useState("");
  const available = runActions(status, actions.busy !== null);
  const notice = actions.notice;
  return (
    <section className="run-controls" aria-label="Run actions" data-testid="run-controls">
      <ActionButton
        label="Cancel run"
        busyLabel="Cancelling…"
        busy={actions.busy === "cancel"}
        availability={available.cancel}
        onClick={actions.cancel}
        testId="cancel-run"
      />
      <div className="run-action run-action-resume">
        <label>
          Resume from{" "}
          <select
            value={fromNode}
            onChange={(e) => setFromNode(e.target.value)}
            disabled={!available.resume.enabled}
            data-testid="resume-from"
          >
            <option value="">where it stopped</option>
            {nodeIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <ActionButton
          label="Resume"
          busyLabel="Resuming…"
          busy={actions.busy === "resume"}
          availability={available.resume}
          onClick={() => actions.resume(fromNode === "" ? undefined : fromNode)}
          testId="resume-run"
        />
      </div>
      <ActionButton
        label="Rerun"
        busyLabel="Rerunning…"
        busy={actions.busy === "rerun"}
        availability={available.rerun}
        onClick={actions.rerun}
        testId="rerun-run"
      />
      {notice !== null && (
        <div
          className={`state run-action-notice ${notice.tone === "error" ? "state-error" : "state-info"}`}
          role={notice.tone === "error" ? "alert" : "status"}
          data-testid="run-action-notice"
        >
          <strong>{notice.title}</strong>
          <p>{notice.whenEnded !== undefined && !isRunInProgress(status) ? notice.whenEnded : notice.message}</p>
        </div>
      )}
    </section>
  );
}
