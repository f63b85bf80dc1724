/**
 * The server survives its dependencies going away, through real processes: PostgreSQL stopped
 * (`pg_ctl stop -m fast`) and started again on the same port, redis-server killed and started
 * again. Requests answer fast (503 database_unavailable, or 200 without Redis), the process stays
 * up, and it recovers on its own.
 */
import { validateWorkflow } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "./testing/redis-server.ts";
import { startServerProcess } from "./testing/server-process.ts";
import { createTestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();
const redisServer: RedisServer | undefined = await startRedisServer();

/** No request may take longer than this during an outage. */
const OUTAGE_BOUND_MS = 5_000;

type Phase = "before" | "outage" | "after";

interface Answer {
  readonly status: number | "timeout";
  readonly code?: string;
  readonly ms: number;
}

async function timed(url: string, init: RequestInit = {}, boundMs = OUTAGE_BOUND_MS): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(boundMs) });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
    } catch {
      // not JSON
    }
    return { status: res.status, ...(code !== undefined && { code }), ms: performance.now() - started };
  } catch {
    return { status: "timeout", ms: performance.now() - started };
  }
}

/** Polls `check` until it returns a value, or fails after `ms`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(postgres === undefined || redisServer === undefined)("dependency outages", () => {
  let storage: Storage;
  let botId: string;
  let auth: { authorization: string };

  beforeAll(async () => {
    const registry = createNodeRegistry();
    storage = createStorage(await openDatabase({ databaseUrl: postgres!.url }), {
      validate: (json) => validateWorkflow(json, registry),
    });
    const bot = await storage.bots.create({ name: "outages" });
    botId = bot.id;
    await storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
    await storage.workflowVersions.publish(bot.id);
    const key = await storage.apiKeys.create({ name: "outages" });
    auth = { authorization: `Bearer ${key.plaintext}` };
  }, 60_000);

  afterAll(async () => {
    await storage?.close();
    await postgres?.stop();
    await redisServer?.stop();
  });

  const chat = (url: string, body: Record<string, unknown> = {}) =>
    timed(`${url}/api/v1/chat`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "how do refunds work?", ...body }),
    });

  it("an idle in-process app answers chat 503 database_unavailable while PostgreSQL is down, and recovers", async () => {
    // its own database: the test app's embeddings are smaller than the server's
    const t = await createTestApp({ databaseUrl: await postgres!.createDatabase("idle_app") });
    try {
      const bot = await t.storage.bots.create({ name: "idle" });
      await t.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
      await t.storage.workflowVersions.publish(bot.id);
      const ask = () =>
        t.app.inject({
          method: "POST",
          url: "/api/v1/chat",
          headers: t.admin,
          payload: { bot_id: bot.id, message: "hello" },
        });
      await postgres!.stopServer();
      try {
        const started = performance.now();
        const down = await ask();
        expect(performance.now() - started).toBeLessThan(OUTAGE_BOUND_MS);
        expect(down.statusCode).toBe(503);
        expect(down.json()).toMatchObject({
          error: { code: "database_unavailable", message: expect.stringContaining("database is unavailable") },
        });
        expect(down.headers["retry-after"]).toBeDefined();
        const health = await t.app.inject({ method: "GET", url: "/health" });
        expect(health.statusCode).toBe(503);
        expect(health.json()).toMatchObject({ status: "degraded", db: "unreachable" });
      } finally {
        await postgres!.startAgain();
      }
      expect((await ask()).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("a server process under chat traffic survives a PostgreSQL restart: 503s meanwhile, then recovers by itself", async () => {
    const server = await startServerProcess({
      DATABASE_URL: postgres!.url,
      LLM_PROVIDER: "local",
      PORTFLOW_RATE_LIMIT_MAX: "100000",
      PORTFLOW_CHAT_RATE_LIMIT_MAX: "100000",
      PORTFLOW_RUN_LEASE_MS: "2000",
    });
    try {
      let phase = "before" as Phase;
      const answers: { phase: Phase; answer: Answer }[] = [];
      let traffic = true;
      const worker = async () => {
        while (traffic) answers.push({ phase, answer: await chat(server.url) });
      };
      const workers = [worker(), worker()];
      const seen = (p: Phase, ok: (a: Answer) => boolean) =>
        answers.some((a) => a.phase === p && ok(a.answer)) || undefined;

      await eventually("chats answered before the outage", async () => seen("before", (a) => a.status === 200));
      phase = "outage";
      await postgres!.stopServer();
      const stoppedAt = Date.now();
      let health: Answer | undefined;
      try {
        await eventually("503 database_unavailable during the outage", async () =>
          seen("outage", (a) => a.code === "database_unavailable"),
        );
        health = await timed(`${server.url}/health`);
        // a few seconds of traffic against the stopped database
        await eventually("3 s and 20 answers into the outage", async () =>
          Date.now() - stoppedAt >= 3_000 && answers.filter((a) => a.phase === "outage").length >= 20
            ? true
            : undefined,
        );
      } finally {
        await postgres!.startAgain();
      }
      phase = "after";
      await eventually("a chat answered after PostgreSQL came back", async () =>
        seen("after", (a) => a.status === 200),
      );
      traffic = false;
      await Promise.all(workers);

      expect(server.child.exitCode).toBeNull();
      expect(server.output()).not.toContain("Unhandled");
      expect(health).toMatchObject({ status: 503 });
      const healthBody = await (await fetch(`${server.url}/health`)).json();
      expect(healthBody).toMatchObject({ status: "ok", db: "ok" });
      const during = answers.filter((a) => a.phase === "outage").map((a) => a.answer);
      // every answer during the outage: a chat that made it before the stop, or a clear 503
      const unexpected = during.filter((a) => a.status !== 200 && a.code !== "database_unavailable");
      expect(unexpected).toEqual([]);
      expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(OUTAGE_BOUND_MS);
      // runs whose outcome could not be written are swept once their lease (2 s) lapses
      await eventually("no run of the bot left running", async () => {
        await storage.runs.sweepInterrupted();
        const running = await storage.runs.list(botId, { status: "running", limit: 200 });
        return running.items.length === 0 ? true : undefined;
      });
    } finally {
      await server.stop();
    }
  }, 120_000);

  it("a server process keeps answering within 1 s while Redis is down, warns once, and shares state again once it is back", async () => {
    const server = await startServerProcess({
      DATABASE_URL: postgres!.url,
      REDIS_URL: redisServer!.url,
      LLM_PROVIDER: "local",
    });
    const direct = new Redis(redisServer!.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    direct.on("error", () => {});
    try {
      expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: "ok", redis: "ok" });
      await redisServer!.kill();
      const during: Answer[] = [];
      for (let i = 0; i < 5; i++) {
        during.push(await chat(server.url, { session_id: "during-outage" }));
        during.push(await timed(`${server.url}/api/v1/bots`, { headers: auth }));
      }
      const health = await timed(`${server.url}/health`);
      const healthBody = (await (await fetch(`${server.url}/health`)).json()) as { status: string; redis: string };
      expect(during.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(Math.max(...during.map((a) => a.ms))).toBeLessThan(1_000);
      expect(health.ms).toBeLessThan(1_000);
      expect(healthBody).toMatchObject({ status: "degraded", redis: "unreachable" });
      const warnings = server.output().match(/"msg":"redis unreachable/g) ?? [];
      expect(warnings).toHaveLength(1);
      expect(server.output()).not.toContain("MaxRetriesPerRequestError");

      await redisServer!.startAgain();
      await eventually("/health reporting redis ok again", async () => {
        const body = (await (await fetch(`${server.url}/health`)).json()) as { redis: string };
        return body.redis === "ok" ? true : undefined;
      });
      const after = await chat(server.url, { session_id: "after-outage" });
      expect(after.status).toBe(200);
      await direct.connect();
      expect(await direct.llen(`portflow:session:${botId}:after-outage`)).toBe(2);
      expect(server.child.exitCode).toBeNull();
    } finally {
      direct.disconnect();
      await server.stop();
    }
  }, 120_000);
});
