/** The BullMQ queue submitted runs wait in (job id = run id, data `RunJobData`). */
export const RUN_QUEUE_NAME = "portflow-runs";

/** Pub/sub channel a cancel is announced on (message: the run id); every worker listens. */
export const RUN_CANCEL_CHANNEL = "portflow:run-cancel";

/** Set when a run is cancelled, so a worker that picks it up later sees it too. */
export const runCancelKey = (runId: string) => `portflow:run:${runId}:cancel`;

/** What a queued job carries. */
export interface RunJobData {
  readonly runId: string;
  /**
   * The run's spec as submitted, when it is small (the API stored it first): the worker need not
   * read it back, only the run's status. Absent: the worker reads the spec from the run's row.
   */
  readonly spec?: unknown;
}

/** The largest spec (JSON characters) a job carries; a bigger one (attachments, long history) stays in the row only. */
export const MAX_JOB_SPEC_CHARS = 64 * 1024;
