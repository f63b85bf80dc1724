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

  it("never refuses a valid key from an IP over its failed-auth budget; missing keys still get 429", async () => {
    const bad = { authorization: "Bearer pf_guessing_1111111111111111" };
    const from = (headers: Record<string, string>) =>
      t.app.inject({ method: "GET", url: "/api/v1/bots", headers, remoteAddress: "10.7.7.7" });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from(bad)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
    const valid = await t.storage.apiKeys.create({ name: "behind the same proxy" });
    expect((await from({ authorization: `Bearer ${valid.plaintext}` })).statusCode).toBe(200);
    expect((await from({})).statusCode).toBe(429);
    expect((await from(bad)).statusCode).toBe(429);
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

describe("failed-auth budget and PORTFLOW_TRUST_PROXY", () => {
  const bad = { authorization: "Bearer pf_guessing_2222222222222222" };
  /** Spends the budget (3) of the client `forwardedFor` names, then asks as `other`. */
  async function otherClientAfterOneIsBlocked(t: TestApp, forwardedFor: string, other: string): Promise<number> {
    const ask = (xff: string) =>
      t.app.inject({
        method: "GET",
        url: "/api/v1/bots",
        headers: { ...bad, "x-forwarded-for": xff },
        remoteAddress: "127.0.0.1",
      });
    for (let i = 0; i < 3; i++) expect((await ask(forwardedFor)).statusCode).toBe(401);
    expect((await ask(forwardedFor)).statusCode).toBe(429);
    return (await ask(other)).statusCode;
  }
  const config = (trustProxy?: boolean | number | readonly string[]) => ({
    config: {
      rateLimit: { max: 3, chatMax: 3, windowMs: 60_000 },
      ...(trustProxy !== undefined && { trustProxy }),
    },
  });
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });
  const app = async (trustProxy?: boolean | number | readonly string[]) => {
    const t = await createTestApp(config(trustProxy));
    apps.push(t);
    return t;
  };

  it("off by default: X-Forwarded-For is ignored, every client of the proxy shares its budget", async () => {
    expect(await otherClientAfterOneIsBlocked(await app(), "198.51.100.1", "198.51.100.2")).toBe(429);
  });

  it("with the proxy's address trusted, X-Forwarded-For tells clients apart", async () => {
    expect(await otherClientAfterOneIsBlocked(await app(["127.0.0.1"]), "198.51.100.1", "198.51.100.2")).toBe(401);
  });

  it("with true, X-Forwarded-For tells clients apart", async () => {
    expect(await otherClientAfterOneIsBlocked(await app(true), "198.51.100.1", "198.51.100.2")).toBe(401);
  });

  it("with a hop count, only the hops the proxy added count: a client's own X-Forwarded-For entry does not", async () => {
    const t = await app(1);
    // The proxy appends the address it saw; the client put a made-up one in front.
    expect(await otherClientAfterOneIsBlocked(t, "203.0.113.1, 198.51.100.1", "203.0.113.2, 198.51.100.1")).toBe(429);
    expect(
      (
        await t.app.inject({
          method: "GET",
          url: "/api/v1/bots",
          headers: { ...bad, "x-forwarded-for": "198.51.100.9" },
          remoteAddress: "127.0.0.1",
        })
      ).statusCode,
    ).toBe(401);
  });
});
