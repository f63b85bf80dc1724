import { randomBytes } from "node:crypto";
import { type HttpTestServer, httpRequestWorkflow, startHttpTestServer } from "@portflow/nodes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

const VALUE = "sk-live-7f3a9c1e5b2d4068";

let t: TestApp;
let echo: HttpTestServer;
beforeAll(async () => {
  echo = await startHttpTestServer((req, res) =>
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ url: req.url, authorization: req.headers.authorization ?? null })),
  );
  t = await createTestApp({ secretKey: randomBytes(32), nodes: { http: { allow: [`127.0.0.1:${echo.port}`] } } });
});
afterAll(async () => {
  await t?.close();
  await echo?.close();
});

async function newBot(): Promise<string> {
  return (await t.storage.bots.create({ name: "secrets" })).id;
}

function put(botId: string, name: string, payload: unknown, headers = t.admin) {
  return t.app.inject({
    method: "PUT",
    url: `/api/v1/bots/${botId}/secrets/${name}`,
    headers,
    payload: payload as object,
  });
}

describe("bot secret routes", () => {
  it("sets, lists (names and times only), replaces and deletes a secret", async () => {
    const botId = await newBot();
    expect((await put(botId, "API_KEY", { value: VALUE })).statusCode).toBe(204);
    expect((await put(botId, "API_KEY", { value: `${VALUE}-2` })).statusCode).toBe(204);
    const listed = await t.app.inject({ method: "GET", url: `/api/v1/bots/${botId}/secrets`, headers: t.admin });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([
      { name: "API_KEY", created_at: expect.any(String), updated_at: expect.any(String) },
    ]);
    expect(listed.body).not.toContain(VALUE);
    const url = `/api/v1/bots/${botId}/secrets/API_KEY`;
    expect((await t.app.inject({ method: "DELETE", url, headers: t.admin })).statusCode).toBe(204);
    const again = await t.app.inject({ method: "DELETE", url, headers: t.admin });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe("not_found");
  });

  it("lets a bot key manage its own bot's secrets only, and refuses chat keys", async () => {
    const botId = await newBot();
    const otherBot = await newBot();
    const botKey = await t.keyFor(botId);
    expect((await put(botId, "TOKEN", { value: "v" }, botKey)).statusCode).toBe(204);
    expect((await put(otherBot, "TOKEN", { value: "v" }, botKey)).statusCode).toBe(404);
    expect((await put(botId, "TOKEN", { value: "v" }, await t.keyFor(botId, "chat"))).statusCode).toBe(403);
  });

  it("answers 400 naming the field for a bad name or value, and 404 for an unknown bot", async () => {
    const botId = await newBot();
    const badName = await put(botId, "bad-name", { value: "v" });
    expect(badName.statusCode).toBe(400);
    expect(JSON.stringify(badName.json().error)).toContain("name");
    const empty = await put(botId, "OK", { value: "" });
    expect(empty.statusCode).toBe(400);
    expect(JSON.stringify(empty.json().error)).toContain("value");
    expect((await put(botId, "OK", { nope: 1 })).statusCode).toBe(400);
    expect((await put("no-such-bot", "OK", { value: "v" })).statusCode).toBe(404);
  });

  it("refuses to store a secret without PORTFLOW_SECRET_KEY with a 409 naming it", async () => {
    const keyless = await createTestApp();
    try {
      const botId = (await keyless.storage.bots.create({ name: "k" })).id;
      const refused = await keyless.app.inject({
        method: "PUT",
        url: `/api/v1/bots/${botId}/secrets/API_KEY`,
        headers: keyless.admin,
        payload: { value: VALUE },
      });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error).toMatchObject({ code: "conflict", details: { setting: "PORTFLOW_SECRET_KEY" } });
      expect(refused.json().error.message).toContain("PORTFLOW_SECRET_KEY");
    } finally {
      await keyless.close();
    }
  });
});

describe("secrets in a run", () => {
  async function draftRun(botId: string, graph: unknown) {
    const base = `/api/v1/bots/${botId}/workflow-versions`;
    const saved = await t.app.inject({
      method: "PUT",
      url: `${base}/draft`,
      headers: t.admin,
      payload: { graph, revision: 0 },
    });
    expect(saved.json()).toMatchObject({ valid: true });
    return t.app.inject({ method: "POST", url: `${base}/draft/run`, headers: t.admin, payload: { inputs: {} } });
  }

  it("sends the bot's secret and keeps it out of every stored record of the run", async () => {
    const botId = await newBot();
    await put(botId, "API_KEY", { value: VALUE });
    const graph = httpRequestWorkflow({
      url: `${echo.origin}/v1?key={{secret.API_KEY}}`,
      headers: { "X-Key": "{{secret.API_KEY}}" },
      auth: { type: "bearer", token: ["secret", "API_KEY"] },
    });
    const run = await draftRun(botId, graph);
    expect(run.statusCode).toBe(200);
    expect(run.json().status).toBe("succeeded");
    expect(echo.requests.at(-1)?.headers.authorization).toBe(`Bearer ${VALUE}`);
    expect(run.body).not.toContain(VALUE);

    const runId = run.json().run_id as string;
    const db = t.storage.database.db;
    const runs = await db.selectFrom("workflow_execution_runs").selectAll().where("id", "=", runId).execute();
    const nodes = await db.selectFrom("workflow_node_executions").selectAll().where("run_id", "=", runId).execute();
    expect(runs).toHaveLength(1);
    expect(nodes.map((n) => n.node_id).sort()).toEqual(["call", "end", "start"]);
    const values = await db.selectFrom("run_values").selectAll().where("run_id", "=", runId).execute();
    const all = JSON.stringify([runs, nodes, values]);
    expect(all).toContain("Bearer ***");
    expect(all).not.toContain(VALUE);

    // at rest the secret is ciphertext only
    const rows = await db.selectFrom("bot_secrets").selectAll().where("bot_id", "=", botId).execute();
    const raw = rows.flatMap((r) => [r.ciphertext, r.iv, r.tag].map((b) => Buffer.from(b).toString("latin1")));
    expect(rows).toHaveLength(1);
    expect(raw.join("")).not.toContain(VALUE);
  });

  it("fails the node with a message naming a secret the bot has not set", async () => {
    const botId = await newBot();
    const run = await draftRun(
      botId,
      httpRequestWorkflow({ url: `${echo.origin}/v1`, headers: { "X-Key": "{{secret.MISSING_ONE}}" } }),
    );
    expect(run.json().status).toBe("failed");
    expect(JSON.stringify(run.json())).toContain(
      'secret \\"MISSING_ONE\\" referenced by node \\"call\\" is not set for this bot',
    );
  });
});
