/**
 * What recording one chat costs the database: SQL statements sent and bytes of run JSON written
 * per `POST /api/v1/chat`, through the server's own composition on a throw-away PostgreSQL 15
 * (the RAG bot of the server benchmark with top 5 documents of about 700 characters). The pg driver is wrapped in this
 * process only: every statement a pool client sends is counted, and the parameter bytes of those
 * that write `workflow_execution_runs`, `workflow_node_executions` or `run_values`.
 * Run alone: `tsx --conditions=source packages/server/bench/recording-cost.ts`.
 * @module
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ragWorkflow } from "@portflow/engine/testing";
import { startPostgresServer } from "@portflow/storage/testing";
import { buildApp } from "../src/build-app.ts";
import { loadConfig } from "../src/config.ts";
import { createDocumentIngestion } from "../src/document-ingestion.ts";
import { openRuntime } from "../src/portflow-runtime.ts";
import type { BenchRow } from "./index.ts";

const CHATS = Number(process.env.BENCH_RECORDING_CHATS ?? 50);
const RUN_TABLES = /\b(workflow_execution_runs|workflow_node_executions|run_values)\b/;
const WRITE = /^\s*(with\b[\s\S]*\b)?(insert|update)\b/i;

interface Tally {
  statements: number;
  runWrites: number;
  runWriteBytes: number;
}

/** Counts what every pg client of this process sends, while `tally.on` is set. */
function wrapPgDriver(tally: Tally & { on: boolean }): () => void {
  // The storage package's own `pg`, the instance its pool uses.
  const storageEntry = fileURLToPath(import.meta.resolve("@portflow/storage"));
  const pg = createRequire(storageEntry)("pg") as { Client: { prototype: { query: (...args: unknown[]) => unknown } } };
  const proto = pg.Client.prototype;
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [config, values] = args;
    const text = typeof config === "string" ? config : (config as { text?: string } | null)?.text;
    if (tally.on && typeof text === "string") {
      tally.statements++;
      if (process.env.BENCH_RECORDING_DEBUG) console.error(text.slice(0, 100).replace(/\s+/g, " "));
      if (RUN_TABLES.test(text) && WRITE.test(text)) {
        tally.runWrites++;
        const params = Array.isArray(values) ? values : ((config as { values?: unknown[] }).values ?? []);
        for (const p of params) if (typeof p === "string") tally.runWriteBytes += Buffer.byteLength(p, "utf8");
      }
    }
    return original.apply(this, args);
  };
  return () => {
    proto.query = original;
  };
}

/** 40 sections of about 700 characters (a typical chunk), one chunk each. */
function corpus(): string {
  const sentences = [
    "Refunds are paid within five working days of the returned parcel reaching the warehouse.",
    "Orders placed before noon ship the same day from the Lyon warehouse, Monday to Friday.",
    "Gift cards never expire and can be combined with any discount code at checkout.",
    "Customers can change a delivery address until the parcel has been handed to the carrier.",
    "The loyalty programme gives one point per euro spent; one hundred points are worth five euros.",
    "Damaged items are replaced free of charge when reported with a photo within fourteen days.",
    "Refund questions are answered by the support team on weekdays between nine and six.",
    "Store credit is offered as an alternative to a refund and is valid for two years.",
  ];
  const sections: string[] = [];
  for (let i = 0; i < 40; i++) {
    const body = sentences.map((_, j) => sentences[(i + j) % sentences.length]).join(" ");
    sections.push(`# Topic ${i}\n\n${body} Section ${i} adds detail number ${i * 7}.`);
  }
  return sections.join("\n\n");
}

/** Statements and run-JSON bytes per chat request on PostgreSQL, as bench rows. */
export async function recordingCost(): Promise<BenchRow[]> {
  const postgres = await startPostgresServer({ required: false });
  if (postgres === undefined) {
    return [{ group: "server", name: "recording per chat", value: Number.NaN, unit: "", note: "no PostgreSQL" }];
  }
  const tally = { on: false, statements: 0, runWrites: 0, runWriteBytes: 0 };
  const unwrap = wrapPgDriver(tally);
  const config = loadConfig({
    LLM_PROVIDER: "local",
    PORTFLOW_DATA_DIR: "memory://",
    DATABASE_URL: postgres.url,
    PORTFLOW_RATE_LIMIT_MAX: "1000000000",
    PORTFLOW_CHAT_RATE_LIMIT_MAX: "1000000000",
  });
  const runtime = await openRuntime(config);
  const { storage, registry, services, providers } = runtime;
  const ingestion = createDocumentIngestion(storage, providers.embedder, config);
  const app = await buildApp({ config, storage, registry, services, ingestion });
  try {
    const bot = await storage.bots.create({ name: "recording" });
    await storage.workflowVersions.saveDraft(bot.id, ragWorkflow({ contextFrom: "documents", topK: 5 }));
    await storage.workflowVersions.publish(bot.id);
    await ingestion.ingest({
      botId: bot.id,
      filename: "faq.md",
      mimeType: "text/markdown",
      bytes: new TextEncoder().encode(corpus()),
    });
    const key = await storage.apiKeys.create({ name: "recording", botId: bot.id });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/chat`;
    const chat = async (): Promise<void> => {
      const response = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${key.plaintext}`, "content-type": "application/json" },
        body: JSON.stringify({ bot_id: bot.id, message: "How long do refunds take?" }),
      });
      if (response.status !== 200) throw new Error(`chat answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    };
    await chat(); // warm caches (api key, compiled workflow) so every counted chat is alike
    tally.on = true;
    for (let i = 0; i < CHATS; i++) await chat();
    tally.on = false;
    const group = "server";
    const note = `${CHATS} chats, PostgreSQL ${postgres.major}, 5 documents retrieved`;
    return [
      { group, name: "recording per chat: SQL statements", value: tally.statements / CHATS, unit: "stmt", note },
      { group, name: "recording per chat: run-table writes", value: tally.runWrites / CHATS, unit: "stmt" },
      { group, name: "recording per chat: run JSON written", value: tally.runWriteBytes / CHATS, unit: "bytes" },
    ];
  } finally {
    await app.close();
    await runtime.close();
    unwrap();
    await postgres.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.table(await recordingCost());
  process.exit(0);
}
