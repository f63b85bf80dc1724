import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe("bots", () => {
  it("creates, lists, reads, updates and deletes a bot", async () => {
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/bots",
      headers: t.admin,
      payload: { name: "Support", description: "helps" },
    });
    expect(created.statusCode).toBe(201);
    const bot = created.json();
    expect(bot).toMatchObject({ name: "Support", status: "draft", use_workflow_v2: true, published_version_id: null });

    const list = await t.app.inject({ method: "GET", url: "/api/v1/bots?limit=10", headers: t.admin });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((b: { id: string }) => b.id)).toContain(bot.id);

    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/bots/${bot.id}`,
      headers: t.admin,
      payload: { status: "active" },
    });
    expect(patched.json()).toMatchObject({ id: bot.id, status: "active" });

    const got = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}`, headers: t.admin });
    expect(got.json().status).toBe("active");

    const deleted = await t.app.inject({ method: "DELETE", url: `/api/v1/bots/${bot.id}`, headers: t.admin });
    expect(deleted.statusCode).toBe(204);
    const gone = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}`, headers: t.admin });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toEqual({
      error: { code: "not_found", message: "bot not found", details: { resource: "bot" } },
    });
  });

  it("lists validation problems by field path", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/bots",
      headers: t.admin,
      payload: { name: "", status: "running" },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(["body.name", "body.status"]);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it("answers 401 without a key or with a bad key", async () => {
    const none = await t.app.inject({ method: "GET", url: "/api/v1/bots" });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe("unauthorized");
    const bad = await t.app.inject({
      method: "GET",
      url: "/api/v1/bots",
      headers: { authorization: "Bearer pf_notarealkeyatall000000" },
    });
    expect(bad.statusCode).toBe(401);
  });

  it("shows a bot-scoped key only its bot and refuses it bot creation", async () => {
    const mine = await t.storage.bots.create({ name: "mine" });
    const other = await t.storage.bots.create({ name: "other" });
    const key = await t.keyFor(mine.id);
    const list = await t.app.inject({ method: "GET", url: "/api/v1/bots", headers: key });
    expect(list.json().items.map((b: { id: string }) => b.id)).toEqual([mine.id]);
    const create = await t.app.inject({ method: "POST", url: "/api/v1/bots", headers: key, payload: { name: "x" } });
    expect(create.statusCode).toBe(403);
    const peek = await t.app.inject({ method: "GET", url: `/api/v1/bots/${other.id}`, headers: key });
    expect(peek.statusCode).toBe(404);
    expect(peek.json()).toEqual({
      error: { code: "not_found", message: "bot not found", details: { resource: "bot" } },
    });
  });
});

describe("health and docs", () => {
  it("reports the database and redis", async () => {
    const res = await t.app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "ok", app_name: "portflow", db: "ok", redis: "not-configured" });
  });

  it("serves the OpenAPI document generated from the route schemas, and the docs UI", async () => {
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/health",
        "/api/v1/bots",
        "/api/v1/bots/{bot_id}",
        "/api/v1/bots/{bot_id}/workflow-versions/draft",
        "/api/v1/bots/{bot_id}/workflow-executions",
        "/api/v1/chat",
        "/api/v1/documents/upload",
      ]),
    );
    expect(doc.paths["/api/v1/chat"].post.requestBody.content["application/json"].schema).toBeDefined();
    expect(doc.paths["/api/v1/documents/upload"].post.requestBody.content["multipart/form-data"].schema).toMatchObject({
      required: ["file"],
      properties: { file: { type: "string", format: "binary" } },
    });
    const ui = await t.app.inject({ method: "GET", url: "/docs" });
    expect([200, 302]).toContain(ui.statusCode);
  });

  it("answers unknown routes in the error shape", async () => {
    const res = await t.app.inject({ method: "GET", url: "/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("not_found");
  });
});

describe("health without a database", () => {
  it("answers 503 when the database is unreachable", async () => {
    const broken = await createTestApp();
    try {
      await broken.storage.database.close();
      const res = await broken.app.inject({ method: "GET", url: "/health" });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: "degraded", db: "unreachable" });
    } finally {
      await broken.close();
    }
  });
});
