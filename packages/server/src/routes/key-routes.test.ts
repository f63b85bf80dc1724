import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const bearer = (plaintext: string) => ({ authorization: `Bearer ${plaintext}` });

describe("API keys over HTTP", () => {
  it("creates a chat key shown once, lists it without the secret, and revokes it: 401 on its next request", async () => {
    const bot = await t.storage.bots.create({ name: "widget bot" });
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/keys",
      headers: t.admin,
      payload: { name: "website widget", scope: "chat", bot_id: bot.id },
    });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key).toMatchObject({
      name: "website widget",
      scope: "chat",
      bot_id: bot.id,
      source: "created",
      revoked_at: null,
      plaintext: expect.stringMatching(/^pf_[A-Za-z0-9_-]{43}$/),
    });
    expect(key.prefix).toBe(key.plaintext.slice(0, 10));

    // the key works (chat only: a bot without a workflow answers 409, not 401/403)
    const chat = () =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/chat",
        headers: bearer(key.plaintext),
        payload: { bot_id: bot.id, message: "hi" },
      });
    expect((await chat()).json().error.code).toBe("no_workflow");

    const list = await t.app.inject({ method: "GET", url: `/api/v1/keys?bot_id=${bot.id}`, headers: t.admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toEqual([
      {
        id: key.id,
        prefix: key.prefix,
        name: "website widget",
        scope: "chat",
        bot_id: bot.id,
        source: "created",
        created_at: key.created_at,
        last_used_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    expect(list.body).not.toContain(key.plaintext);

    const revoked = await t.app.inject({ method: "DELETE", url: `/api/v1/keys/${key.id}`, headers: t.admin });
    expect(revoked.statusCode).toBe(204);
    const after = await chat();
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toEqual({
      code: "unauthorized",
      message: "the API key is not valid",
      details: { header: "authorization", scheme: "Bearer" },
    });

    const again = await t.app.inject({ method: "DELETE", url: `/api/v1/keys/${key.id}`, headers: t.admin });
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toEqual({
      code: "not_found",
      message: "API key not found, or already revoked",
      details: { resource: "api_key" },
    });
    const listed = await t.app.inject({ method: "GET", url: `/api/v1/keys?bot_id=${bot.id}`, headers: t.admin });
    expect(listed.json().items[0].revoked_at).toEqual(expect.any(String));
  });

  it("revokes an admin key: the very next request with it answers 401", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/keys",
      headers: t.admin,
      payload: { name: "second admin", scope: "admin" },
    });
    const key = created.json();
    const listBots = () => t.app.inject({ method: "GET", url: "/api/v1/bots", headers: bearer(key.plaintext) });
    expect((await listBots()).statusCode).toBe(200);
    // revoked with itself, then refused on the next request
    const revoked = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/keys/${key.id}`,
      headers: bearer(key.plaintext),
    });
    expect(revoked.statusCode).toBe(204);
    expect((await listBots()).statusCode).toBe(401);
    expect((await t.app.inject({ method: "GET", url: "/api/v1/bots", headers: t.admin })).statusCode).toBe(200);
  });

  it("lists every key without a filter, and answers 404 for an unknown key or bot", async () => {
    const all = await t.app.inject({ method: "GET", url: "/api/v1/keys", headers: t.admin });
    expect(all.json().items.map((k: { name: string }) => k.name)).toContain("test admin");
    const unknownKey = await t.app.inject({ method: "DELETE", url: "/api/v1/keys/no-such-key", headers: t.admin });
    expect(unknownKey.statusCode).toBe(404);
    const unknownBot = await t.app.inject({ method: "GET", url: "/api/v1/keys?bot_id=no-such-bot", headers: t.admin });
    expect(unknownBot.statusCode).toBe(404);
    expect(unknownBot.json().error).toEqual({
      code: "not_found",
      message: "bot not found",
      details: { resource: "bot" },
    });
    const createForUnknownBot = await t.app.inject({
      method: "POST",
      url: "/api/v1/keys",
      headers: t.admin,
      payload: { name: "x", scope: "bot", bot_id: "no-such-bot" },
    });
    expect(createForUnknownBot.statusCode).toBe(404);
  });

  it("answers 400 naming the field for a bad body", async () => {
    const bot = await t.storage.bots.create({ name: "validated" });
    const post = (payload: Record<string, unknown>) =>
      t.app.inject({ method: "POST", url: "/api/v1/keys", headers: t.admin, payload });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: "x", scope: "chat" }, "body.bot_id", /a chat key needs the bot_id/],
      [{ name: "x", scope: "admin", bot_id: bot.id }, "body.bot_id", /omit bot_id/],
      [{ name: "x", scope: "owner", bot_id: bot.id }, "body.scope", /./],
      [{ scope: "bot", bot_id: bot.id }, "body.name", /./],
      [{ name: "  ", scope: "admin" }, "body.name", /./],
    ];
    for (const [payload, path, message] of cases) {
      const res = await post(payload);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status: 400 });
      expect(res.json().error.code).toBe("validation_error");
      const issues = res.json().error.details.issues as { path: string; message: string }[];
      expect(issues.find((i) => i.path === path)?.message).toMatch(message);
    }
    expect((await t.storage.apiKeys.list(bot.id)).length).toBe(0);
  });

  it("refuses bot keys with 403: managing keys needs an admin key", async () => {
    const bot = await t.storage.bots.create({ name: "own keys" });
    const botKey = await t.keyFor(bot.id);
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/keys",
      headers: botKey,
      payload: { name: "more", scope: "chat", bot_id: bot.id },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toEqual({
      code: "forbidden",
      message: "managing API keys needs an admin key",
      details: {},
    });
    const list = await t.app.inject({ method: "GET", url: `/api/v1/keys?bot_id=${bot.id}`, headers: botKey });
    expect(list.statusCode).toBe(403);
  });
});
