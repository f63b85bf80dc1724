import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisSessionStore } from "./session-store.ts";
import { type RedisServer, startRedisServer } from "./testing/redis-server.ts";

const server: RedisServer | undefined = await startRedisServer();

describe.skipIf(server === undefined)("RedisSessionStore (real redis-server)", () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(server!.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server?.stop();
  });

  it("keeps the last N turns per bot and session, shared by every client", async () => {
    const store = new RedisSessionStore(redis, { maxTurns: 2, ttlSeconds: 60 });
    for (const n of [1, 2, 3]) await store.appendTurn("bot-a", "s1", `q${n}`, `a${n}`);
    await store.appendTurn("bot-b", "s1", "other", "bot");
    const other = new Redis(server!.url);
    try {
      const seenElsewhere = new RedisSessionStore(other, { maxTurns: 2, ttlSeconds: 60 });
      expect(await seenElsewhere.history("bot-a", "s1")).toEqual([
        { role: "user", content: "q2" },
        { role: "assistant", content: "a2" },
        { role: "user", content: "q3" },
        { role: "assistant", content: "a3" },
      ]);
      expect(await seenElsewhere.history("bot-b", "s1")).toHaveLength(2);
    } finally {
      other.disconnect();
    }
  });

  it("sets a TTL on the session", async () => {
    const store = new RedisSessionStore(redis, { maxTurns: 2, ttlSeconds: 30 });
    await store.appendTurn("bot", "ttl", "q", "a");
    const ttl = await redis.ttl("portflow:session:bot:ttl");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
  });
});
