import type { RunEvent } from "@portflow/engine";

/** One event of a run as logged: its id in the log (an SSE `id:`), and the event. */
export interface LoggedRunEvent {
  readonly id: string;
  readonly event: RunEvent;
}

/**
 * The events of each run, in order, readable from any point: what streams a run's SSE (from any
 * replica in queue mode) and replays it from `Last-Event-ID` after a reconnect.
 */
export interface RunEventLog {
  /** Appends one event; `run.finished` ends the run's log (it expires some time later). */
  append(runId: string, event: RunEvent): Promise<void>;
  /**
   * The run's events after `after` (an id from this log; absent: from the first), waiting for new
   * ones until `run.finished` or `signal`. Ends at once when the log holds nothing for the run
   * and `waitMs` passes without an event.
   */
  read(
    runId: string,
    options?: { after?: string; signal?: AbortSignal; waitMs?: number },
  ): AsyncIterable<LoggedRunEvent>;
}
