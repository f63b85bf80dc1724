import type { RunEvent } from "@portflow/engine";
import type { Redis } from "ioredis";
import type { LoggedRunEvent, RunEventLog } from "../run-event-log.ts";

/** The Redis Stream holding a run's events. */
export const runEventsKey = (runId: string) => `portflow:run:${runId}:events`;

export interface RedisRunEventLogOptions {
  /** Approximate cap per stream (default 10,000 events). */
  readonly maxEvents?: number;
  /** A finished run's stream expires this long after `run.finished` (default one hour). */
  readonly keepSeconds?: number;
  /** How long one blocking read waits before it looks again (default 5 s). */
  readonly blockMs?: number;
}

/**
 * The queue mode's event log: a Redis Stream per run (`portflow:run:{id}:events`), bounded and
 * expiring after the run, so any API replica streams any run and replays it from an event id.
 * Reading blocks, so each reader takes a connection of its own (`redis.duplicate()`).
 */
export class RedisRunEventLog implements RunEventLog {
  readonly #redis: Redis;
  readonly #maxEvents: number;
  readonly #keepSeconds: number;
  readonly #blockMs: number;

  constructor(redis: Redis, options: RedisRunEventLogOptions = {}) {
    this.#redis = redis;
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#keepSeconds = options.keepSeconds ?? 3_600;
    this.#blockMs = options.blockMs ?? 5_000;
  }

  async append(runId: string, event: RunEvent): Promise<void> {
    const key = runEventsKey(runId);
    const json = JSON.stringify(event);
    if (event.type !== "run.finished") {
      await this.#redis.xadd(key, "MAXLEN", "~", this.#maxEvents, "*", "e", json);
      return;
    }
    await this.#redis
      .multi()
      .xadd(key, "MAXLEN", "~", this.#maxEvents, "*", "e", json)
      .expire(key, this.#keepSeconds)
      .exec();
  }

  async *read(
    runId: string,
    options: { after?: string; signal?: AbortSignal; waitMs?: number } = {},
  ): AsyncIterable<LoggedRunEvent> {
    const key = runEventsKey(runId);
    let after = options.after ?? "0";
    const reader = this.#redis.duplicate();
    const stop = () => reader.disconnect();
    options.signal?.addEventListener("abort", stop, { once: true });
    const waitUntil = options.waitMs === undefined ? undefined : Date.now() + options.waitMs;
    let seen = false;
    try {
      while (!options.signal?.aborted) {
        const block =
          waitUntil === undefined || seen
            ? this.#blockMs
            : Math.max(1, Math.min(this.#blockMs, waitUntil - Date.now()));
        const reply = (await reader.xread("BLOCK", block, "STREAMS", key, after)) as
          | [string, [string, string[]][]][]
          | null;
        const entries = reply?.[0]?.[1] ?? [];
        if (entries.length === 0 && !seen && waitUntil !== undefined && Date.now() >= waitUntil) return;
        for (const [id, fields] of entries) {
          seen = true;
          after = id;
          const json = fields[fields.indexOf("e") + 1];
          if (json === undefined) continue;
          const event = JSON.parse(json) as RunEvent;
          yield { id, event };
          if (event.type === "run.finished") return;
        }
      }
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    } finally {
      options.signal?.removeEventListener("abort", stop);
      reader.disconnect();
    }
  }
}
