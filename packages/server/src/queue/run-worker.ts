import type { Logger } from "@portflow/engine";
import { type Job, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { RunService } from "../run-service.ts";
import { RUN_CANCEL_CHANNEL, RUN_QUEUE_NAME, type RunJobData, runCancelKey } from "./run-queue-names.ts";

export interface RunWorkerOptions {
  readonly redisUrl: string;
  /** Executes the runs (with the Redis event log, so any API replica streams them). */
  readonly runs: RunService;
  /** Runs executed at once (default 4). */
  readonly concurrency?: number;
  /** The job lock, renewed while the run executes; a dead worker's run is re-delivered after about this long. */
  readonly lockMs: number;
  readonly logger: Logger;
}

/**
 * `portflow worker`: takes run jobs off the BullMQ queue and executes them through the
 * RunService. A job delivered again after its worker died continues the run (its recorded nodes
 * are not run again). Cancels announced on Redis abort the run here within a round trip.
 */
export class RunWorker {
  private constructor(
    private readonly workers: readonly Worker<RunJobData>[],
    private readonly connection: Redis,
    private readonly subscriber: Redis,
  ) {}

  static async start(options: RunWorkerOptions): Promise<RunWorker> {
    // BullMQ's blocking commands need a connection that retries forever.
    const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    const subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    subscriber.on("message", (_channel: string, runId: string) => {
      options.runs.abortLocal(runId);
    });
    await subscriber.subscribe(RUN_CANCEL_CHANNEL);
    const process = async (job: Job<RunJobData>) => {
      const runId = job.data.runId;
      // Which worker holds which run, and whether it continues one a dead worker held.
      options.logger.info("executing run", {
        runId,
        redelivered: job.stalledCounter > 0,
        waited_ms: Date.now() - job.timestamp,
      });
      const spec = job.data.spec;
      // A first delivery claims the run straight from `queued` (one conditional write, which a
      // cancel of the queued run would have won): no read of its row, no separate start write.
      const first = spec !== undefined && job.attemptsMade === 0 && job.stalledCounter === 0;
      const handle = await options.runs.execute(runId, {
        ...(spec !== undefined && { spec }),
        ...(first && { claim: true }),
      });
      if (handle === undefined) return;
      // Cancelled before this worker held it: the announcement went by unheard.
      if ((await connection.exists(runCancelKey(runId))) === 1) options.runs.abortLocal(runId);
      const result = await handle.result;
      options.logger.info("run executed", { runId, status: result.status });
    };
    // One BullMQ worker per run slot, each taking one job at a time: a worker with room for more
    // asks for its next job before it starts the one it got (a round trip more before every run).
    const workers = Array.from(
      { length: options.concurrency ?? 4 },
      () =>
        new Worker<RunJobData>(RUN_QUEUE_NAME, process, {
          connection,
          concurrency: 1,
          lockDuration: options.lockMs,
          stalledInterval: options.lockMs,
          // A run whose workers keep dying is given up on after a few deliveries.
          maxStalledCount: 3,
        }),
    );
    for (const worker of workers) {
      worker.on("failed", (job, error) =>
        options.logger.error("run job failed", { runId: job?.data.runId, error: error.message }),
      );
    }
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    return new RunWorker(workers, connection, subscriber);
  }

  /** Stops taking jobs, lets the ones in progress finish, and closes the connections. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await this.subscriber.quit().catch(() => {});
    await this.connection.quit().catch(() => {});
  }
}
