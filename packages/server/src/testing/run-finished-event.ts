import type { RunEvent } from "@portflow/engine";

/** A `run.finished` event of a succeeded run with nothing in it: what ends a run's event log in tests. */
export function runFinishedEvent(runId: string): RunEvent {
  return {
    type: "run.finished",
    runId,
    result: {
      runId,
      status: "succeeded",
      outputs: {},
      nodes: [],
      totals: { steps: 0, elapsedMs: 0, tokens: { input: 0, output: 0 } },
      startedAt: 0,
      finishedAt: 0,
    },
  };
}
