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
    private readonly worker: Worker<RunJobData>,
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
      // A first delivery is still queued unless a cancel was announced (announced before the row
      // is marked): one Redis read instead of reading the run's row back from the database.
      const first = spec !== undefined && job.attemptsMade === 0 && job.stalledCounter === 0;
      const queued = first
        ? connection.exists(runCancelKey(runId)).then(
            (n) => n === 0,
            () => false,
          )
        : undefined;
      const handle = await options.runs.execute(runId, {
        ...(spec !== undefined && { spec }),
        ...(queued !== undefined && { queued }),
      });
      if (handle === undefined) return;
      // Cancelled before this worker held it: the announcement went by unheard.
      if ((await connection.exists(runCancelKey(runId))) === 1) options.runs.abortLocal(runId);
      const result = await handle.result;
      options.logger.info("run executed", { runId, status: result.status });
    };
    const worker = new Worker<RunJobData>(RUN_QUEUE_NAME, process, {
      connection,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      // A run whose workers keep dying is given up on after a few deliveries.
      maxStalledCount: 3,
    });
    worker.on("failed", (job, error) =>
      options.logger.error("run job failed", { runId: job?.data.runId, error: error.message }),
    );
    await worker.waitUntilReady();
    return new RunWorker(worker, connection, subscriber);
  }

  /** Stops taking jobs, lets the ones in progress finish, and closes the connections. */
  async close(): Promise<void> {
    await this.worker.close();
    await this.subscriber.quit().catch(() => {});
    await this.connection.quit().catch(() => {});
  }
}
