/** Whether one of a run's buttons can be used now, and if not, why (shown beside it). */
export interface ActionAvailability {
  readonly enabled: boolean;
  readonly reason: string | null;
}

/** What the Cancel, Resume and Rerun buttons of a run allow in its status. */
export interface RunActions {
  readonly cancel: ActionAvailability;
  readonly resume: ActionAvailability;
  readonly rerun: ActionAvailability;
}

const RESUMABLE = new Set(["failed", "interrupted", "cancelled"]);
const ok: ActionAvailability = Object.freeze({ enabled: true, reason: null });
const no = (reason: string): ActionAvailability => ({ enabled: false, reason });

/**
 * The rules of `POST …/{run_id}/cancel|resume|rerun`, from the run's status: cancel while queued or
 * running; resume a failed, interrupted or cancelled run; rerun any run that has ended. `busy` (an
 * action in flight) disables all three.
 */
export function runActions(status: string, busy = false): RunActions {
  if (busy) {
    const wait = no("Another action on this run is in progress.");
    return { cancel: wait, resume: wait, rerun: wait };
  }
  const inProgress = status === "queued" || status === "running";
  return {
    cancel: inProgress ? ok : no(`The run has ended (${status}): there is nothing to cancel.`),
    resume: RESUMABLE.has(status)
      ? ok
      : inProgress
        ? no("A run can be resumed once it has failed, been interrupted or been cancelled.")
        : no(
            `The run ${status === "succeeded" ? "succeeded" : `is ${status}`}: there is nothing to resume. Rerun it instead.`,
          ),
    rerun: inProgress ? no("The run has not ended yet: cancel it or wait for it to end.") : ok,
  };
}
