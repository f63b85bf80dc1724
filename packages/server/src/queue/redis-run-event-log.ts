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
  /** Reader connections kept open between reads for the next ones (default 16). */
  readonly idleReaders?: number;
}

type StreamEntry = [id: string, fields: string[]];
type XReadReply = [key: string, entries: StreamEntry[]][] | null;

/**
 * The queue mode's event log: a Redis Stream per run (`portflow:run:{id}:events`), bounded and
 * expiring after the run, so any API replica streams any run and replays it from an event id.
 * Reading blocks, so each read holds a connection of its own (`redis.duplicate()`); one whose
 * read ended between two blocking calls is kept for the next read (a chat would otherwise pay
 * for a new connection and its ready check).
 */
export class RedisRunEventLog implements RunEventLog {
  readonly #redis: Redis;
  readonly #maxEvents: number;
  readonly #keepSeconds: number;
  readonly #blockMs: number;
  readonly #maxIdle: number;
  readonly #idle: Redis[] = [];

  constructor(redis: Redis, options: RedisRunEventLogOptions = {}) {
    this.#redis = redis;
    this.#maxEvents = options.maxEvents ?? 10_000;
    this.#keepSeconds = options.keepSeconds ?? 3_600;
    this.#blockMs = options.blockMs ?? 5_000;
    this.#maxIdle = options.idleReaders ?? 16;
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
    const reader = this.#idle.pop() ?? this.#redis.duplicate();
    // A blocked read ends only with its connection: closing it is how an abort stops one.
    const stop = () => reader.disconnect();
    options.signal?.addEventListener("abort", stop, { once: true });
    const waitUntil = options.waitMs === undefined ? undefined : Date.now() + options.waitMs;
    let seen = false;
    let pending: Promise<StreamEntry[]> | undefined;
    const readNext = () => {
      const block =
        waitUntil === undefined || seen ? this.#blockMs : Math.max(1, Math.min(this.#blockMs, waitUntil - Date.now()));
      const next = reader
        .xread("BLOCK", block, "STREAMS", key, after)
        .then((reply) => (reply as XReadReply)?.[0]?.[1] ?? []);
      // Settled unobserved when the consumer stops first.
      next.catch(() => {});
      return next;
    };
    try {
      while (!options.signal?.aborted) {
        pending ??= readNext();
        const entries = await pending;
        pending = undefined;
        if (entries.length === 0 && !seen && waitUntil !== undefined && Date.now() >= waitUntil) return;
        const events = entries.map(([id, fields]): [string, RunEvent | undefined] => {
          const json = fields[fields.indexOf("e") + 1];
          return [id, json === undefined ? undefined : (JSON.parse(json) as RunEvent)];
        });
        const last = entries.at(-1);
        if (last !== undefined) {
          seen = true;
          after = last[0];
        }
        // Ask for what follows before handing these on: the next events travel while the consumer works.
        if (!events.some(([, event]) => event?.type === "run.finished")) pending = readNext();
        for (const [id, event] of events) {
          if (event === undefined) continue;
          yield { id, event };
          if (event.type === "run.finished") return;
        }
      }
    } catch (error) {
      if (!options.signal?.aborted) throw error;
    } finally {
      options.signal?.removeEventListener("abort", stop);
      this.#release(reader, pending === undefined && !options.signal?.aborted);
    }
  }

  /** Keeps a reader for the next read when it is idle and healthy, else closes it. */
  #release(reader: Redis, idle: boolean): void {
    if (idle && reader.status === "ready" && this.#idle.length < this.#maxIdle) this.#idle.push(reader);
    else reader.disconnect();
  }

  /** Closes the reader connections kept between reads. */
  close(): void {
    for (const reader of this.#idle.splice(0)) reader.disconnect();
  }
}
