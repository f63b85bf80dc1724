/**
 * Inline vs queue execution, side by side in one run, on one PostgreSQL and one redis-server:
 * the server as `portflow serve` composes it (`startServer`, in this process), in queue mode with
 * two `portflow worker` child processes (default concurrency 4 each). Rows: chat req/s and
 * p50/p99 under autocannon; p50 of sequential requests timed here (finer than autocannon's
 * whole milliseconds) for the full answer and for the first streamed token; and what the queue adds.
 * Run alone: `tsx --conditions=source packages/server/bench/execution-modes.ts`.
 */

import { pathToFileURL } from "node:url";
import { startPostgresServer } from "@portflow/storage/testing";
import autocannon from "autocannon";
import { loadConfig } from "../src/config.ts";
import { createDocumentIngestion } from "../src/document-ingestion.ts";
import { openRuntime } from "../src/portflow-runtime.ts";
import { startServer } from "../src/start-server.ts";
import { type RedisServer, startRedisServer } from "../src/testing/redis-server.ts";
import { startWorkerProcess, type WorkerProcess } from "../src/testing/worker-process.ts";
import { RAG_WORKFLOW_V2 } from "../src/testing/workflows.ts";
import { corpus } from "./faq-corpus.ts";
import type { BenchRow } from "./index.ts";
import { queueHopRows } from "./queue-hops.ts";
import { queueTraceRows } from "./queue-request-trace.ts";

type Mode = "inline" | "queue";

const DURATION_S = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
const SEQUENTIAL = Number(process.env.BENCH_QUEUE_SEQUENTIAL ?? 200);
const CONNECTIONS = [1, 32] as const;
/** `BENCH_SERVER_LOAD=0`: the sequential rows, the trace and the hops only (quicker, for iterating on latency). */
const LOAD = process.env.BENCH_SERVER_LOAD !== "0";
const GROUP = "server";

interface ModeSetup {
  readonly url: string;
  readonly botId: string;
  readonly authorization: string;
  close(): Promise<void>;
}

function environment(mode: Mode, databaseUrl: string, redisUrl: string): Record<string, string> {
  return {
    LLM_PROVIDER: "local",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    PORTFLOW_EXECUTION: mode,
    PORTFLOW_RATE_LIMIT_MAX: "1000000000",
    PORTFLOW_CHAT_RATE_LIMIT_MAX: "1000000000",
  };
}

async function setUpMode(mode: Mode, databaseUrl: string, redisUrl: string, corpus: string): Promise<ModeSetup> {
  const env = environment(mode, databaseUrl, redisUrl);
  const config = loadConfig({ ...env, HOST: "127.0.0.1", PORT: "0" });
  // The bot and its documents, written before the server starts.
  const runtime = await openRuntime(config);
  const ingestion = createDocumentIngestion(runtime.storage, runtime.providers.embedder, config);
  const bot = await runtime.storage.bots.create({ name: `bench ${mode}` });
  await runtime.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
  await runtime.storage.workflowVersions.publish(bot.id);
  await ingestion.ingest({
    botId: bot.id,
    filename: "faq.md",
    mimeType: "text/markdown",
    bytes: new TextEncoder().encode(corpus),
  });
  const key = await runtime.storage.apiKeys.create({ name: "bench", botId: bot.id });
  await runtime.close();
  const workers: WorkerProcess[] =
    mode === "queue" ? await Promise.all([0, 1].map(() => startWorkerProcess({ databaseUrl, redisUrl, env }))) : [];
  const server = await startServer(config, { handleSignals: false });
  return {
    url: server.url,
    botId: bot.id,
    authorization: `Bearer ${key.plaintext}`,
    async close() {
      await server.close();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

function chatRequest(setup: ModeSetup, message: string, stream: boolean): RequestInit {
  return {
    method: "POST",
    headers: { authorization: setup.authorization, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: setup.botId, message, stream }),
  };
}

/** One chat, timed: the whole JSON answer, or (streaming) the first `text` event. */
async function timeChat(setup: ModeSetup, stream: boolean): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${setup.url}/api/v1/chat`, chatRequest(setup, "How long do refunds take?", stream));
  if (!stream) {
    await response.text();
    if (!response.ok) throw new Error(`chat answered ${response.status}`);
    return performance.now() - started;
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = "";
  let firstToken: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value, { stream: true });
    if (firstToken === undefined && seen.includes("event: text")) firstToken = performance.now() - started;
  }
  if (firstToken === undefined) throw new Error(`no token streamed:\n${seen.slice(0, 500)}`);
  return firstToken;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function loadRows(mode: Mode, setup: ModeSetup): Promise<BenchRow[]> {
  const label = LABELS[mode];
  const rows: BenchRow[] = [];
  await autocannon({
    url: `${setup.url}/api/v1/chat`,
    connections: 4,
    amount: 200,
    ...chatRequest(setup, "warm up", false),
  } as autocannon.Options);
  for (const connections of CONNECTIONS) {
    const result = await autocannon({
      url: `${setup.url}/api/v1/chat`,
      connections,
      duration: DURATION_S,
      ...chatRequest(setup, "How long do refunds take?", false),
    } as autocannon.Options);
    const failures = result.non2xx + result.errors;
    const note = failures > 0 ? `${failures} failed of ${result.requests.total}` : undefined;
    const name = `chat ${label}, ${connections} conn`;
    rows.push(
      {
        group: GROUP,
        name: `${name}: throughput`,
        value: result.requests.average,
        unit: "req/s",
        ...(note && { note }),
      },
      { group: GROUP, name: `${name}: latency p50`, value: result.latency.p50, unit: "ms" },
      { group: GROUP, name: `${name}: latency p99`, value: result.latency.p99, unit: "ms" },
    );
  }
  return rows;
}

const LABELS: Record<Mode, string> = { inline: "inline", queue: "queue (2 worker processes)" };

/**
 * Sequential chats, inline and queue taking turns (so a change in the machine's load hits both
 * alike), timed by the client: the whole answer and the first streamed token.
 */
async function sequentialRows(setups: Record<Mode, ModeSetup>): Promise<BenchRow[]> {
  const times: Record<Mode, { answer: number[]; token: number[] }> = {
    inline: { answer: [], token: [] },
    queue: { answer: [], token: [] },
  };
  for (let i = 0; i < SEQUENTIAL; i++) {
    for (const mode of ["inline", "queue"] as const) {
      times[mode].answer.push(await timeChat(setups[mode], false));
      times[mode].token.push(await timeChat(setups[mode], true));
    }
  }
  const note = `${SEQUENTIAL} sequential requests each, the modes taking turns, timed by the client`;
  const rows: BenchRow[] = [];
  for (const mode of ["inline", "queue"] as const) {
    const { answer, token } = times[mode];
    const name = `chat ${LABELS[mode]}, sequential`;
    rows.push(
      { group: GROUP, name: `${name}: answer p50`, value: percentile(answer, 50), unit: "ms", note },
      { group: GROUP, name: `${name}: answer p99`, value: percentile(answer, 99), unit: "ms", note },
      { group: GROUP, name: `${name}: first token p50`, value: percentile(token, 50), unit: "ms", note },
    );
  }
  const target = "target ≤ 5 ms on loopback";
  const added = (k: "answer" | "token") => percentile(times.queue[k], 50) - percentile(times.inline[k], 50);
  rows.push(
    { group: GROUP, name: "queue-added latency, answer p50", value: added("answer"), unit: "ms", note: target },
    { group: GROUP, name: "queue-added latency to first token p50", value: added("token"), unit: "ms", note: target },
  );
  return rows;
}

/**
 * Both modes on `databaseUrl` and `redis`, up at once: load per mode, then sequential turns, then
 * one queued chat traced hop by hop, then the queue's hops in-process.
 */
export async function executionModeRows(databaseUrl: string, redis: RedisServer, corpus: string): Promise<BenchRow[]> {
  const inline = await setUpMode("inline", databaseUrl, redis.url, corpus);
  try {
    const queue = await setUpMode("queue", databaseUrl, redis.url, corpus);
    try {
      const rows = LOAD ? [...(await loadRows("inline", inline)), ...(await loadRows("queue", queue))] : [];
      rows.push(...(await sequentialRows({ inline, queue })));
      rows.push(...(await queueTraceRows(queue, redis.url)));
      rows.push(...(await queueHopRows(redis.url)));
      return rows;
    } finally {
      await queue.close();
    }
  } finally {
    await inline.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const postgres = await startPostgresServer({ required: true });
  const redis = await startRedisServer();
  if (postgres === undefined || redis === undefined) throw new Error("needs PostgreSQL and redis-server binaries");
  try {
    console.table(await executionModeRows(postgres.url, redis, corpus()));
  } finally {
    await redis.stop();
    await postgres.stop();
  }
  process.exit(0);
}
