import { RUN_EVENT_NAMES, type RunEvent, type RunEventName, RunHandle, type RunResult } from "@portflow/engine";

// run-service.ts imports the names from here
export { RUN_EVENT_NAMES } from "@portflow/engine";

interface Settle {
  resolve(result: RunResult): void;
  reject(error: unknown): void;
}

/**
 * A RunHandle handed out before its run exists: it re-emits the events of the run it follows
 * (one started in this process, or a run on a worker read from its event log) and settles with
 * its result; `fail` rejects `result` when the run could not start at all.
 */
export class RelayRunHandle extends RunHandle {
  readonly #settle: Settle;

  constructor(runId: string) {
    const settle: Partial<Settle> = {};
    super(
      runId,
      new Promise<RunResult>((resolve, reject) => {
        settle.resolve = resolve;
        settle.reject = reject;
      }),
    );
    this.#settle = settle as Settle;
  }

  /**
   * Re-emits the events of `source` that have listeners now, and settles with its result (once
   * `before` resolves, when given: the run's events are logged).
   */
  follow(source: RunHandle, before?: () => Promise<void>): void {
    for (const name of RUN_EVENT_NAMES) {
      if (this.listenerCount(name) > 0) source.on(name, (event: RunEvent) => this.#emit(event));
    }
    source.result.then(
      async (result) => {
        await before?.();
        this.#settle.resolve(result);
      },
      (error: unknown) => this.#settle.reject(error),
    );
  }

  /** Emits one event (from a log); `run.finished` settles the result. */
  deliver(event: RunEvent): void {
    this.#emit(event);
    if (event.type === "run.finished") this.#settle.resolve(event.result);
  }

  #emit(event: RunEvent): void {
    (this.emit as (name: RunEventName, e: RunEvent) => boolean)(event.type, event);
  }

  /** The run could not start: `result` rejects with `error`. */
  fail(error: unknown): void {
    this.#settle.reject(error);
  }
}
