/**
 * Where queue mode's time goes, hop by hop, on the bench's redis-server (in this process, so the
 * figures do not depend on how the OS shares the CPU between processes): BullMQ enqueue → a
 * waiting worker starts the job; a Redis Stream append → a blocked reader has it; and a run's
 * events appended one round trip each vs pipelined (what the RunService does).
 */
import type { RunEvent } from "@portflow/engine";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { RedisRunEventLog } from "../src/queue/redis-run-event-log.ts";
import type { BenchRow } from "./index.ts";

const HOPS = Number(process.env.BENCH_QUEUE_HOPS ?? 200);
const EVENTS_PER_RUN = 60; // about what a chat with a streamed answer logs
const GROUP = "server";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function enqueueToStart(redisUrl: string): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `bench-hops-${process.pid}`;
  const queue = new Queue(name, { connection });
  const started = new Map<string, () => void>();
  const worker = new Worker(name, async (job) => started.get(job.id ?? "")?.(), { connection: workerConnection });
  await worker.waitUntilReady();
  const times: number[] = [];
  try {
    for (let i = 0; i < HOPS + 20; i++) {
      const id = `job-${i}`;
      const began = new Promise<void>((resolve) => started.set(id, resolve));
      const t0 = performance.now();
      await queue.add("hop", {}, { jobId: id, removeOnComplete: true });
      await began;
      if (i >= 20) times.push(performance.now() - t0); // the first ones warm up
    }
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
  }
  return median(times);
}

const chunk = (runId: string, i: number): RunEvent => ({
  type: "node.chunk",
  runId,
  nodeId: "answer",
  chunk: `word${i} `,
});

async function appendToRead(log: RedisRunEventLog): Promise<number> {
  const runId = `bench-${process.pid}-read`;
  const reader = log.read(runId)[Symbol.asyncIterator]();
  const times: number[] = [];
  for (let i = 0; i < HOPS + 20; i++) {
    const t0 = performance.now();
    const next = reader.next();
    await log.append(runId, chunk(runId, i));
    await next;
    if (i >= 20) times.push(performance.now() - t0);
  }
  await reader.return?.();
  return median(times);
}

async function appendRun(log: RedisRunEventLog, pipelined: boolean): Promise<number> {
  const times: number[] = [];
  for (let r = 0; r < 40; r++) {
    const runId = `bench-${process.pid}-${pipelined}-${r}`;
    const t0 = performance.now();
    if (pipelined) {
      await Promise.all(Array.from({ length: EVENTS_PER_RUN }, (_, i) => log.append(runId, chunk(runId, i))));
    } else {
      for (let i = 0; i < EVENTS_PER_RUN; i++) await log.append(runId, chunk(runId, i));
    }
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** The hop figures (ms, medians). */
export async function queueHopRows(redisUrl: string): Promise<BenchRow[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const log = new RedisRunEventLog(redis);
  try {
    const note = `median of ${HOPS}, in-process`;
    return [
      {
        group: GROUP,
        name: "queue hop: enqueue → worker starts the job",
        value: await enqueueToStart(redisUrl),
        unit: "ms",
        note,
      },
      {
        group: GROUP,
        name: "queue hop: stream append → blocked reader has it",
        value: await appendToRead(log),
        unit: "ms",
        note,
      },
      {
        group: GROUP,
        name: `queue hop: log ${EVENTS_PER_RUN} events, one round trip each`,
        value: await appendRun(log, false),
        unit: "ms",
        note: "before: the RunService awaited each append",
      },
      {
        group: GROUP,
        name: `queue hop: log ${EVENTS_PER_RUN} events, pipelined`,
        value: await appendRun(log, true),
        unit: "ms",
        note: "now: appends sent at once, in order",
      },
    ];
  } finally {
    redis.disconnect();
  }
}
