/**
 * Two real server processes over one PostgreSQL (with pgvector) and one redis-server: stored API
 * keys work on both, they enforce one rate limit together, a chat session continues across them,
 * and SIGTERM shuts each down cleanly.
 */
import { validateWorkflow } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "./testing/redis-server.ts";
import { type ServerProcess, startServerProcess } from "./testing/server-process.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();
const redis: RedisServer | undefined = await startRedisServer();

describe.skipIf(postgres === undefined || redis === undefined)("two server processes", () => {
  let storage: Storage;
  let servers: ServerProcess[] = [];
  let auth: { authorization: string };
  let botId: string;

  beforeAll(async () => {
    const registry = createNodeRegistry();
    // the schema is created by this connection (vector size of the local embedder's default, 1024)
    storage = createStorage(await openDatabase({ databaseUrl: postgres!.url }), {
      validate: (json) => validateWorkflow(json, registry),
    });
    const bot = await storage.bots.create({ name: "shared" });
    botId = bot.id;
    await storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
    await storage.workflowVersions.publish(bot.id);
    const key = await storage.apiKeys.create({ name: "client", botId: bot.id });
    auth = { authorization: `Bearer ${key.plaintext}` };
    const env = {
      DATABASE_URL: postgres!.url,
      REDIS_URL: redis!.url,
      LLM_PROVIDER: "local",
      PORTFLOW_RATE_LIMIT_MAX: "6",
    };
    servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await storage?.close();
    await postgres?.stop();
    await redis?.stop();
  });

  it("report a healthy database and redis", async () => {
    for (const server of servers) {
      const health = await (await fetch(`${server.url}/health`)).json();
      expect(health).toMatchObject({ status: "ok", db: "ok", redis: "ok" });
    }
  });

  it("enforce one rate limit together", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const server = servers[i % 2] as ServerProcess;
      statuses.push((await fetch(`${server.url}/api/v1/bots/${botId}/documents`, { headers: auth })).status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
  });

  it("continue one chat session across processes, recording every run in PostgreSQL", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const post = (url: string, body: unknown) =>
      fetch(`${url}/api/v1/chat`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const first = (await (await post(a.url, { bot_id: botId, message: "first" })).json()) as { session_id: string };
    const second = await post(b.url, { bot_id: botId, message: "second", session_id: first.session_id });
    expect(second.status).toBe(200);
    const runId = ((await second.json()) as { run_id: string }).run_id;
    const run = await storage.runs.get(botId, runId);
    const llm = run?.nodes.find((n) => n.nodeId === "answer");
    expect(llm?.processData).toMatchObject({ history_messages: 2 });
    const runs = await storage.runs.list(botId, { sessionId: first.session_id });
    expect(runs.items).toHaveLength(2);
  });

  it("shut down cleanly on SIGTERM", async () => {
    const codes = await Promise.all(servers.map((s) => s.stop()));
    expect(codes).toEqual([0, 0]);
    servers = [];
  });
});
