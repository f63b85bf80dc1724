/**
 * autocannon against `POST /api/v1/chat` with the offline local providers: requests/s and p50/p99
 * latency at 1 and 32 connections, on embedded PGlite and (when the binaries are installed) a real
 * PostgreSQL; plus the share of each request spent inside the workflow run (engine + retrieval);
 * then inline vs queue execution side by side (execution-modes.ts) when redis-server is installed.
 * Run alone: `tsx packages/server/bench/index.ts`.
 */
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { ragWorkflow } from "@portflow/engine/testing";
import type { Storage } from "@portflow/storage";
import { startPostgresServer } from "@portflow/storage/testing";
import autocannon from "autocannon";
import { buildApp } from "../src/build-app.ts";
import { loadConfig } from "../src/config.ts";
import { createDocumentIngestion } from "../src/document-ingestion.ts";
import { openRuntime } from "../src/portflow-runtime.ts";
import { startRedisServer } from "../src/testing/redis-server.ts";
import { RAG_WORKFLOW_V2 } from "../src/testing/workflows.ts";
import { executionModeRows } from "./execution-modes.ts";
import { corpus } from "./faq-corpus.ts";
import { type CpuMeter, cpuMeter } from "./process-cpu.ts";
import { recordingCost } from "./recording-cost.ts";

export interface BenchRow {
  group: string;
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const DURATION_S = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
const CONNECTIONS = [1, 32] as const;

interface Setup {
  readonly url: string;
  readonly botId: string;
  readonly authorization: string;
  readonly storage: Storage;
  close(): Promise<void>;
}

async function setUp(databaseUrl: string | undefined, workflow: object): Promise<Setup> {
  // The server's own composition, with limits out of the way of the load.
  const config = loadConfig({
    LLM_PROVIDER: "local",
    PORTFLOW_DATA_DIR: "memory://",
    ...(databaseUrl !== undefined && { DATABASE_URL: databaseUrl }),
    PORTFLOW_RATE_LIMIT_MAX: "1000000000",
    PORTFLOW_CHAT_RATE_LIMIT_MAX: "1000000000",
  });
  const runtime = await openRuntime(config);
  const { storage, registry, services, providers } = runtime;
  const ingestion = createDocumentIngestion(storage, providers.embedder, config);
  const app = await buildApp({
    config,
    storage,
    registry,
    services,
    ingestion,
  });
  const bot = await storage.bots.create({ name: "bench" });
  await storage.workflowVersions.saveDraft(bot.id, workflow);
  await storage.workflowVersions.publish(bot.id);
  await ingestion.ingest({
    botId: bot.id,
    filename: "faq.md",
    mimeType: "text/markdown",
    bytes: new TextEncoder().encode(corpus()),
  });
  const key = await storage.apiKeys.create({ name: "bench", botId: bot.id });
  await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    botId: bot.id,
    authorization: `Bearer ${key.plaintext}`,
    storage,
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

async function load(setup: Setup, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${setup.url}/api/v1/chat`,
    method: "POST",
    connections,
    duration: DURATION_S,
    headers: { authorization: setup.authorization, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: setup.botId, message: "How long do refunds take?" }),
  });
}

async function measure(
  label: string,
  databaseUrl: string | undefined,
  workflow: object = RAG_WORKFLOW_V2,
): Promise<BenchRow[]> {
  const setup = await setUp(databaseUrl, workflow);
  const rows: BenchRow[] = [];
  try {
    await autocannon({ ...warmUp(setup) }); // JIT, pools, compiled-workflow cache
    const cpu = await cpuMeter(setup.storage);
    for (const connections of CONNECTIONS) {
      const from = new Date();
      const before = cpu();
      const result = await load(setup, connections);
      const after = cpu();
      // Mean recorded run time of this load's runs: an arbitrary start, so straight from the runs.
      const { avg } = await setup.storage.database.db
        .selectFrom("workflow_execution_runs")
        .select((eb) => eb.fn.avg<number | null>("elapsed_ms").as("avg"))
        .where("bot_id", "=", setup.botId)
        .where("started_at", ">=", from)
        .where("status", "not in", ["queued", "running"])
        .executeTakeFirstOrThrow();
      const runMs = avg === null ? Number.NaN : Number(avg);
      const failures = result.non2xx + result.errors;
      const note = failures > 0 ? `${failures} failed of ${result.requests.total}` : undefined;
      const group = "server";
      const name = `chat ${label}, ${connections} conn`;
      rows.push(
        { group, name: `${name}: throughput`, value: result.requests.average, unit: "req/s", ...(note && { note }) },
        { group, name: `${name}: latency p50`, value: result.latency.p50, unit: "ms" },
        { group, name: `${name}: latency p99`, value: result.latency.p99, unit: "ms" },
        {
          group,
          name: `${name}: workflow run share`,
          value: (100 * runMs) / result.latency.average,
          unit: "%",
          note: `run ${runMs.toFixed(2)} ms (engine + pgvector retrieval) of ${result.latency.average.toFixed(2)} ms mean latency; the rest is HTTP, key lookup, run recording, session`,
        },
      );
      if (connections === 1) rows.push(...cpuRows(name, before, after, result.requests.total));
    }
  } finally {
    await setup.close();
  }
  return rows;
}

/** CPU per chat: counts work done, so it compares across runs far better than latency on a drifting machine. */
function cpuRows(
  name: string,
  before: ReturnType<CpuMeter>,
  after: ReturnType<CpuMeter>,
  requests: number,
): BenchRow[] {
  const group = "server";
  const rows: BenchRow[] = [
    {
      group,
      name: `${name}: server CPU per chat`,
      value: (after.processMs - before.processMs) / requests,
      unit: "ms",
      note: "this process (with embedded PGlite: the database too); includes the load generator's share",
    },
  ];
  if (after.databaseMs !== undefined && before.databaseMs !== undefined) {
    rows.push({
      group,
      name: `${name}: PostgreSQL CPU per chat`,
      value: (after.databaseMs - before.databaseMs) / requests,
      unit: "ms",
      note: "the PostgreSQL server's processes, from /proc (10 ms ticks summed over the load)",
    });
  }
  return rows;
}

function warmUp(setup: Setup): autocannon.Options {
  return {
    url: `${setup.url}/api/v1/chat`,
    method: "POST",
    connections: 4,
    amount: 200,
    headers: { authorization: setup.authorization, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: setup.botId, message: "warm up" }),
  };
}

/**
 * The bench's bot with the knowledge node searching vectors only: the work round 1's chat did
 * (before hybrid retrieval became the default), for the inline-mode comparison with that build.
 */
const VECTOR_ONLY_WORKFLOW = ragWorkflow({ contextFrom: "documents", knowledge: { search: "vector" } });

export default async function bench(): Promise<BenchRow[]> {
  const rows = await measure("PGlite (embedded)", undefined);
  rows.push(...(await measure("PGlite (embedded), vector-only retrieval", undefined, VECTOR_ONLY_WORKFLOW)));
  rows.push(...(await recordingCost()));
  let postgres: Awaited<ReturnType<typeof startPostgresServer>>;
  try {
    postgres = await startPostgresServer({ required: false });
  } catch (error) {
    rows.push({ group: "server", name: "chat PostgreSQL", value: Number.NaN, unit: "", note: String(error) });
    return rows;
  }
  if (postgres === undefined) {
    rows.push({
      group: "server",
      name: "chat PostgreSQL",
      value: Number.NaN,
      unit: "",
      note: "no PostgreSQL binaries",
    });
    return rows;
  }
  try {
    rows.push(...(await measure("PostgreSQL 15 server", postgres.url)));
    rows.push(
      ...(await measure(
        "PostgreSQL 15 server, vector-only retrieval",
        await postgres.createDatabase("vector_only"),
        VECTOR_ONLY_WORKFLOW,
      )),
    );
    const redis = await startRedisServer();
    if (redis === undefined) {
      rows.push({ group: "server", name: "chat queue mode", value: Number.NaN, unit: "", note: "no redis-server" });
    } else {
      try {
        rows.push(...(await executionModeRows(await postgres.createDatabase("modes"), redis, corpus())));
      } finally {
        await redis.stop();
      }
    }
  } finally {
    await postgres.stop();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await bench());
  process.exit(0);
}
