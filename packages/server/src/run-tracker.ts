/**
 * Keeps the runs the server started, so shutdown can let them finish within a bound and then
 * cancel the rest (which the recorder then records as `cancelled`).
 * @module
 */

/** How long cancelled runs get to wind down (record `cancelled`, end their streams) on shutdown. */
export const CANCEL_WIND_DOWN_MS = 2_000;

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
   * Tracks a run until `done` settles; shutdown past its grace period aborts `controller`
   * (which the run must be listening to).
   */
  track(done: Promise<unknown>, controller: AbortController): void {
    const run: TrackedRun = { controller, done };
    this.#runs.add(run);
    const forget = () => this.#runs.delete(run);
    done.then(forget, forget);
  }

  /**
   * Refuses new runs from now on, waits up to `graceMs` for tracked runs to finish, cancels the
   * rest and waits up to `windDownMs` for them to wind down: it resolves within
   * `graceMs + windDownMs`. Returns how many were cancelled.
   */
  async drain(graceMs: number, windDownMs = CANCEL_WIND_DOWN_MS): Promise<number> {
    this.#draining = true;
    const settled = (runs: TrackedRun[]) => Promise.allSettled(runs.map((r) => r.done));
    if (this.#runs.size > 0) await withTimeout(settled([...this.#runs]), graceMs);
    const remaining = [...this.#runs];
    for (const run of remaining) run.controller.abort(new Error("server shutting down"));
    if (remaining.length > 0) await withTimeout(settled(remaining), windDownMs);
    return remaining.length;
  }
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
