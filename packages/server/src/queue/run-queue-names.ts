/** The BullMQ queue submitted runs wait in (job id = run id, data `{ runId }`). */
export const RUN_QUEUE_NAME = "portflow-runs";

/** Pub/sub channel a cancel is announced on (message: the run id); every worker listens. */
export const RUN_CANCEL_CHANNEL = "portflow:run-cancel";

/** Set when a run is cancelled, so a worker that picks it up later sees it too. */
export const runCancelKey = (runId: string) => `portflow:run:${runId}:cancel`;

/** What a queued job carries. */
export interface RunJobData {
  readonly runId: string;
}
