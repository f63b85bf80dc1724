import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QueueRunDispatcher } from "./queue-run-dispatcher.ts";
import { RedisRunEventLog } from "./redis-run-event-log.ts";
import { RUN_QUEUE_NAME, type RunJobData } from "./run-queue-names.ts";

/** An API replica's side of queue mode: the queue runs are submitted to, and the event log they stream from. */
export interface OpenRunQueue {
  readonly dispatcher: QueueRunDispatcher;
  readonly events: RedisRunEventLog;
  close(): Promise<void>;
}

/**
 * Connects to the run queue on `redisUrl`. Its own connection: BullMQ and blocking stream reads
 * need one without the per-command timeout the rate-limit connection has.
 */
export function openRunQueue(redisUrl: string): OpenRunQueue {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<RunJobData>(RUN_QUEUE_NAME, { connection });
  const events = new RedisRunEventLog(connection);
  return {
    dispatcher: new QueueRunDispatcher(queue, connection, events),
    events,
    async close() {
      await queue.close();
      events.close();
      await connection.quit().catch(() => {});
    },
  };
}
