import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { AppError } from "../app-error.ts";
import { RelayRunHandle } from "../relay-run-handle.ts";
import type { RunEventLog } from "../run-event-log.ts";
import type { RunDispatcher } from "../run-service.ts";
import type { RunSpec } from "../run-spec.ts";
import { MAX_JOB_SPEC_CHARS, RUN_CANCEL_CHANNEL, type RunJobData, runCancelKey } from "./run-queue-names.ts";

/** How long a cancel's key stays: longer than any run waits in the queue. */
const CANCEL_KEY_SECONDS = 3_600;

/**
 * Queue mode on an API replica: a submitted run becomes a BullMQ job `{ runId, spec }` for the workers;
 * its handle follows the run's Redis Stream, wherever it executes. A cancel removes a waiting job
 * and tells every worker (pub/sub, plus a key for a worker that picks the run up later).
 */
export class QueueRunDispatcher implements RunDispatcher {
  constructor(
    private readonly queue: Queue<RunJobData>,
    private readonly redis: Redis,
    private readonly events: RunEventLog,
  ) {}

  async dispatch(runId: string, spec?: RunSpec): Promise<RelayRunHandle> {
    const carried = spec !== undefined && JSON.stringify(spec).length <= MAX_JOB_SPEC_CHARS;
    const data: RunJobData = carried ? { runId, spec } : { runId };
    await this.queue.add("run", data, { jobId: runId, removeOnComplete: true, removeOnFail: 1_000 });
    const relay = new RelayRunHandle(runId);
    // A relay failed from outside (its server lets go of the run) stops reading the run's stream.
    const reading = new AbortController();
    relay.result.catch(() => reading.abort());
    void (async () => {
      try {
        for await (const { event } of this.events.read(runId, { signal: reading.signal })) relay.deliver(event);
        if (reading.signal.aborted) return;
        relay.fail(new AppError(503, "service_unavailable", "the run's event stream ended before it finished"));
      } catch (error) {
        relay.fail(error);
      }
    })();
    return relay;
  }

  async announceCancel(runId: string): Promise<void> {
    // The key only: a worker running the run is told by `cancel`, once the run's status was looked at.
    await this.redis.set(runCancelKey(runId), "1", "EX", CANCEL_KEY_SECONDS);
  }

  async cancel(runId: string): Promise<void> {
    // A job still waiting goes; an active one is locked and stays, its worker aborts it.
    await this.queue.remove(runId).catch(() => 0);
    await this.redis
      .multi()
      .set(runCancelKey(runId), "1", "EX", CANCEL_KEY_SECONDS)
      .publish(RUN_CANCEL_CHANNEL, runId)
      .exec();
  }
}
