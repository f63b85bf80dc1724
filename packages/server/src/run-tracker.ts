/**
 * Keeps the runs the server started, so shutdown can let them finish within a bound and then
 * cancel the rest (which the recorder then records as `cancelled`).
 * @module
 */

interface TrackedRun {
  readonly controller: AbortController;
  readonly done: Promise<unknown>;
}

export class RunTracker {
  readonly #runs = new Set<TrackedRun>();
  #draining = false;

  get size(): number {
    return this.#runs.size;
  }

  /** True once `drain` was called: new runs should be refused. */
  get draining(): boolean {
    return this.#draining;
  }

  /**
   * Tracks a run until `done` settles. Returns the signal to run with: it aborts when `signal`
   * (the client) aborts or when shutdown cancels the run.
   */
  track(start: (signal: AbortSignal) => Promise<unknown>, signal?: AbortSignal): Promise<unknown> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) controller.abort(signal.reason);
    else signal?.addEventListener("abort", onAbort, { once: true });
    const done = start(controller.signal);
    const run: TrackedRun = { controller, done };
    this.#runs.add(run);
    const forget = () => {
      this.#runs.delete(run);
      signal?.removeEventListener("abort", onAbort);
    };
    done.then(forget, forget);
    return done;
  }

  /**
   * Waits up to `graceMs` for tracked runs to finish, cancels the rest and waits (up to
   * `graceMs` again) for them to wind down. Returns how many were cancelled.
   */
  async drain(graceMs: number): Promise<number> {
    this.#draining = true;
    const settled = (runs: TrackedRun[]) => Promise.allSettled(runs.map((r) => r.done));
    await withTimeout(settled([...this.#runs]), graceMs);
    const remaining = [...this.#runs];
    for (const run of remaining) run.controller.abort(new Error("server shutting down"));
    await withTimeout(settled(remaining), Math.max(graceMs, 1_000));
    return remaining.length;
  }
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
