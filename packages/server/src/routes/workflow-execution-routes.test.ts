import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

let t: TestApp;
let botId: string;
beforeAll(async () => {
  t = await createTestApp();
  botId = (await t.storage.bots.create({ name: "cursors", status: "active" })).id;
  await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(botId);
  for (const message of ["one", "two", "three"]) {
    await t.app.inject({ method: "POST", url: "/api/v1/chat", headers: t.admin, payload: { bot_id: botId, message } });
  }
});
afterAll(async () => {
  await t?.close();
});

function list(cursor: string) {
  return t.app.inject({
    method: "GET",
    url: `/api/v1/bots/${botId}/workflow-executions?limit=1&cursor=${encodeURIComponent(cursor)}`,
    headers: t.admin,
  });
}

const forged = (parts: unknown) => Buffer.from(JSON.stringify(parts), "utf8").toString("base64url");

describe("GET /workflow-executions cursors", () => {
  it("follows the cursor it issued", async () => {
    const first = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions?limit=1`,
      headers: t.admin,
    });
    const next = await list(first.json().next_cursor);
    expect(next.statusCode).toBe(200);
    expect(next.json().items).toHaveLength(1);
    expect(next.json().items[0].id).not.toBe(first.json().items[0].id);
  });

  it("answers a tampered or forged cursor with 400 invalid_cursor naming query.cursor", async () => {
    const issued = (
      await t.app.inject({ method: "GET", url: `/api/v1/bots/${botId}/workflow-executions?limit=1`, headers: t.admin })
    ).json().next_cursor as string;
    for (const cursor of [
      "nonsense!",
      `X${issued.slice(1)}`,
      issued.slice(0, -5),
      forged(["not a time", "x"]),
      forged(["2026-02-30 10:00:00+00", "x"]),
      forged(["2026-01-10 10:00:00+00", "run\u0000"]),
      forged([1, 2]),
    ]) {
      const res = await list(cursor);
      expect(res.statusCode, cursor).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "invalid_cursor",
        details: { issues: [{ path: "query.cursor", message: expect.stringContaining("invalid cursor") }] },
      });
    }
  });
});
