/**
 * Ctrl-C for long commands: the first SIGINT aborts the work (so runs are recorded `cancelled` and
 * half-done ingestion is rolled back), a second one exits at once.
 * @module
 */

/** Exit code of a command stopped by SIGINT (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** Runs `work` with a signal that SIGINT aborts. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort(new Error("interrupted (Ctrl-C)"));
  };
  process.on("SIGINT", onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off("SIGINT", onSigint);
  }
}
