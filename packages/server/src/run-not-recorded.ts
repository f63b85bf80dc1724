/**
 * The rule that a run is never answered as a success unless its record was written.
 * @module
 */
import type { RunResult } from "@portflow/engine";
import { DATABASE_UNAVAILABLE } from "@portflow/storage";
import { AppError } from "./app-error.ts";
import { databaseUnavailable } from "./error-handler.ts";

/**
 * A 503 for a run whose record could not be written (the run row, a node row or its outcome),
 * or undefined when everything was stored. Whatever the run produced is not handed out: a client
 * must never hold an answer the system has no record of.
 */
export function runNotRecordedError(result: RunResult): AppError | undefined {
  const errors = result.recordingErrors ?? [];
  if (errors.length === 0 && result.error?.code !== "RECORDING_FAILED") return undefined;
  // Nearly always an outage: say so the same way every other route does.
  if (errors.some((e) => e.code === DATABASE_UNAVAILABLE)) return databaseUnavailable({ run_id: result.runId });
  return new AppError(
    503,
    "run_not_recorded",
    `the run could not be recorded, so its answer is withheld; retry shortly (${errors[0]?.message ?? result.error?.message})`,
    { run_id: result.runId },
  );
}
