import type { RunEvent } from "@portflow/engine";
import type { LoggedRunEvent, RunEventLog } from "./run-event-log.ts";

interface RunLog {
  readonly events: LoggedRunEvent[];
  finished: boolean;
  readonly waiters: Set<() => void>;
}

export interface MemoryRunEventLogOptions {
  /** Events kept per run (default 10,000); older ones are dropped first. */
  readonly maxEvents?: number;
  /** How long a finished run's log stays readable (default 5 minutes). */
  readonly keepMs?: number;
  /**
   * Finished runs' logs kept at most (default 1,000); the oldest goes first. Logs hold every
   * node's outputs, so under sustained load `keepMs` alone let the heap grow by ~15 KB a chat
   * (hundreds of MB in 5 minutes at 150 chats/s). A client reading an evicted log gets the
   * run's stored outcome instead (the events route's fallback).
   */
  readonly maxFinishedRuns?: number;
}

/** The inline mode's event log: in this process, a finished run's log expires after `keepMs`. */
export class MemoryRunEventLog implements RunEventLog {
  readonly #runs = new Map<string, RunLog>();
  readonly #maxEvents: number;
  readonly #keepMs: number;
  readonly #maxFinishedRuns: number;
  /** Finished runs in the order they finished, with when: evicted from the front. */
  readonly #finishedAt = new Map<string, number>();

  constructor(options: MemoryRunEventLogOptions = {}) {
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#keepMs = options.keepMs ?? 5 * 60_000;
    this.#maxFinishedRuns = options.maxFinishedRuns ?? 1_000;
  }

  async append(runId: string, event: RunEvent): Promise<void> {
    const log = this.#log(runId);
    const last = log.events.at(-1);
    log.events.push({ id: String(last === undefined ? 1 : Number(last.id) + 1), event });
    if (log.events.length > this.#maxEvents) log.events.shift();
    if (event.type === "run.finished") {
      log.finished = true;
      this.#finishedAt.delete(runId); // a resumed run finishes again: it moves to the back
      this.#finishedAt.set(runId, Date.now());
      this.#evict();
    }
    for (const wake of [...log.waiters]) wake();
  }

  async *read(
    runId: string,
    options: { after?: string; signal?: AbortSignal; waitMs?: number } = {},
  ): AsyncIterable<LoggedRunEvent> {
    let after = options.after === undefined ? 0 : Number(options.after) || 0;
    this.#evict();
    for (;;) {
      const log = this.#runs.get(runId);
      const next = log?.events.filter((e) => Number(e.id) > after) ?? [];
      for (const logged of next) {
        yield logged;
        after = Number(logged.id);
        if (logged.event.type === "run.finished") return;
      }
      if (options.signal?.aborted) return;
      // Finished while its last events were being yielded: those are read on the next pass.
      if (log?.finished) {
        if (next.length === 0) return;
        continue;
      }
      const waiting = this.#log(runId);
      const woke = await this.#wait(waiting, options.signal, options.waitMs);
      if (!woke && waiting.events.length === 0) {
        // Nothing was ever logged for it (an unknown or long-finished run): keep no empty entry.
        if (waiting.waiters.size === 0) this.#runs.delete(runId);
        return;
      }
    }
  }

  /** Drops finished logs past `maxFinishedRuns` or older than `keepMs` (no timer per run). */
  #evict(): void {
    const expired = Date.now() - this.#keepMs;
    for (const [runId, at] of this.#finishedAt) {
      if (this.#finishedAt.size <= this.#maxFinishedRuns && at > expired) return;
      this.#finishedAt.delete(runId);
      const log = this.#runs.get(runId);
      if (log?.finished) this.#runs.delete(runId);
    }
  }

  #log(runId: string): RunLog {
    let log = this.#runs.get(runId);
    if (log === undefined) {
      log = { events: [], finished: false, waiters: new Set() };
      this.#runs.set(runId, log);
    }
    return log;
  }

  /** Resolves true on the next append, false on abort or after `waitMs`. */
  #wait(log: RunLog, signal: AbortSignal | undefined, waitMs: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (woke: boolean) => {
        log.waiters.delete(wake);
        signal?.removeEventListener("abort", abort);
        clearTimeout(timer);
        resolve(woke);
      };
      const wake = () => done(true);
      const abort = () => done(false);
      const timer = waitMs === undefined ? undefined : setTimeout(() => done(false), waitMs);
      log.waiters.add(wake);
      signal?.addEventListener("abort", abort, { once: true });
    });
  }
}
