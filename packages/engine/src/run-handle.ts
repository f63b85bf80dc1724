import { EventEmitter } from "eventemitter3";
import { RUN_EVENT_NAMES, type RunEvent, type RunEventListeners } from "./run-events.ts";
import type { RunResult } from "./run-result.ts";

/**
 * A run in progress: subscribe with `on`, or iterate `events()`; `result` settles with the
 * RunResult. The run starts on the next microtask, so listeners attached right after `start()`
 * see every event.
 */
export class RunHandle extends EventEmitter<RunEventListeners> {
  constructor(
    readonly runId: string,
    readonly result: Promise<RunResult>,
  ) {
    super();
  }

  /** Every event of the run, in order, ending after `run.finished`. */
  async *events(): AsyncGenerator<RunEvent, void, undefined> {
    const buffer: RunEvent[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const push = (event: RunEvent) => {
      buffer.push(event);
      if (event.type === "run.finished") done = true;
      wake?.();
    };
    for (const name of RUN_EVENT_NAMES) this.on(name, push);
    try {
      while (true) {
        const event = buffer.shift();
        if (event) {
          yield event;
          continue;
        }
        if (done) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      for (const name of RUN_EVENT_NAMES) this.off(name, push);
    }
  }
}
