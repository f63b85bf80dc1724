/**
 * Two app instances over one PostgreSQL, each with its own ioredis connection, share one rate
 * limit and one session store — as two server processes of one deployment do.
 */
import { startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedisServer } from "./testing/redis-server.ts";
import type { ScriptedChatModel } from "./testing/scripted-chat-model.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

const redis: RedisServer | undefined = await startRedisServer();
const postgres = await startPostgresServer();
const ADMIN_KEY = "pf_shared_admin_key_for_two_instances";
const sharedKey = { authorization: `Bearer ${ADMIN_KEY}` };

describe.skipIf(redis === undefined || postgres === undefined)(
  "rate limits and sessions through a real redis-server",
  () => {
    let one: TestApp;
    let two: TestApp;
    beforeAll(async () => {
      const config = { rateLimit: { max: 6, chatMax: 100, windowMs: 60_000 } };
      const databaseUrl = await postgres!.createDatabase("shared");
      // both adopt the same PORTFLOW_ADMIN_KEY into the shared database, as two processes do
      one = await createTestApp({ databaseUrl, redisUrl: redis!.url, config, adminKey: ADMIN_KEY });
      two = await createTestApp({ databaseUrl, redisUrl: redis!.url, config, adminKey: ADMIN_KEY });
    });
    afterAll(async () => {
      await one?.close();
      await two?.close();
      await redis?.stop();
      await postgres?.stop();
    });

    it("reports redis in /health", async () => {
      const res = await one.app.inject({ method: "GET", url: "/health" });
      expect(res.json()).toMatchObject({ status: "ok", redis: "ok" });
    });

    it("enforces one limit across both instances", async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = i % 2 === 0 ? one : two;
        const res = await t.app.inject({ method: "GET", url: "/api/v1/bots", headers: sharedKey });
        statuses.push(res.statusCode);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(6);
      expect(statuses.slice(6)).toEqual([429, 429, 429, 429]);
    });

    it("continues a chat session started on the other instance", async () => {
      await one.storage.bots.create({ id: "shared-bot", name: "shared" });
      await one.storage.workflowVersions.saveDraft("shared-bot", RAG_WORKFLOW_V2);
      await one.storage.workflowVersions.publish("shared-bot");
      const first = await one.app.inject({
        method: "POST",
        url: "/api/v1/chat",
        headers: one.admin,
        payload: { bot_id: "shared-bot", message: "remember me" },
      });
      const sessionId = first.json().session_id;
      const second = await two.app.inject({
        method: "POST",
        url: "/api/v1/chat",
        headers: two.admin,
        payload: { bot_id: "shared-bot", message: "and now?", session_id: sessionId },
      });
      expect(second.statusCode).toBe(200);
      const scripted = two.chatModel as ScriptedChatModel;
      const contents = scripted.requests.at(-1)?.messages.map((m) => m.content) ?? [];
      expect(contents.slice(0, 2)).toEqual(["remember me", first.json().response]);
      expect(contents[2]).toContain("and now?");
    });
  },
);
