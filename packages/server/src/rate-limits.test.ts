import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeGroup } from "./rate-limits.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";

describe("routeGroup", () => {
  it("names the group after /api/v1/ or after the bot id", () => {
    expect(routeGroup("/api/v1/bots")).toBe("bots");
    expect(routeGroup("/api/v1/bots/:bot_id")).toBe("bots");
    expect(routeGroup("/api/v1/bots/:bot_id/workflow-versions/draft")).toBe("workflow-versions");
    expect(routeGroup("/api/v1/bots/:bot_id/documents")).toBe("documents");
    expect(routeGroup("/api/v1/chat")).toBe("chat");
    expect(routeGroup("/api/v1/documents/upload")).toBe("documents");
  });
});

describe("rate limits (in memory)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ config: { rateLimit: { max: 3, chatMax: 1, windowMs: 60_000 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("limits each key per route group and answers 429 with Retry-After", async () => {
    const bot = await t.storage.bots.create({ name: "limited" });
    const get = (url: string, headers = t.admin) => t.app.inject({ method: "GET", url, headers });
    for (let i = 0; i < 3; i++) expect((await get("/api/v1/bots")).statusCode).toBe(200);
    const limited = await get(`/api/v1/bots/${bot.id}`);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({
      error: { code: "rate_limited", details: { limit: 3, retry_after_seconds: expect.any(Number) } },
    });
    // another route group, and another key, have their own budgets
    expect((await get(`/api/v1/bots/${bot.id}/documents`)).statusCode).toBe(200);
    expect((await get("/api/v1/bots", await t.keyFor(bot.id))).statusCode).toBe(200);
  });

  it("counts failed authentications per client and answers 429 once over the budget", async () => {
    const bad = { authorization: "Bearer pf_guessing_0000000000000000" };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await t.app.inject({ method: "GET", url: "/api/v1/bots", headers: bad, remoteAddress: "10.9.9.9" }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    const blocked = await t.app.inject({ method: "GET", url: "/api/v1/bots", headers: bad, remoteAddress: "10.9.9.9" });
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    // another client is not affected
    const other = await t.app.inject({ method: "GET", url: "/api/v1/bots", headers: bad, remoteAddress: "10.9.9.8" });
    expect(other.statusCode).toBe(401);
  });

  it("gives chat its own, smaller budget", async () => {
    const bot = await t.storage.bots.create({ name: "chatty" });
    const key = await t.keyFor(bot.id);
    const chat = () =>
      t.app.inject({ method: "POST", url: "/api/v1/chat", headers: key, payload: { bot_id: bot.id, message: "hi" } });
    expect((await chat()).statusCode).toBe(409); // no workflow, but counted
    expect((await chat()).statusCode).toBe(429);
  });
});
