import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

let t: TestApp;
let botId: string;
beforeAll(async () => {
  t = await createTestApp();
  const bot = await t.storage.bots.create({ name: "identifiers", status: "active" });
  botId = bot.id;
  await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(botId);
});
afterAll(async () => {
  await t?.close();
});

/** The one issue of a 400, which must name `path`. */
function expectRefused(
  res: {
    statusCode: number;
    json(): { error: { code: string; details: { issues: { path: string; message: string }[] } } };
  },
  path: string,
) {
  expect(res.statusCode).toBe(400);
  const error = res.json().error;
  expect(error.code).toBe("validation_error");
  expect(error.details.issues).toContainEqual({ path, message: expect.stringContaining("control characters") });
}

describe("identifiers with control characters are refused at the boundary, naming the field", () => {
  it.each([
    ["GET", "/api/v1/bots/abc%00def", "path.bot_id"],
    ["GET", "/api/v1/bots/abc%0D%0Adef/workflow-versions/draft", "path.bot_id"],
    ["GET", "/api/v1/bots/abc%00/workflow-executions", "path.bot_id"],
    ["GET", "/api/v1/bots/abc%00/documents", "path.bot_id"],
  ])("%s %s → 400 %s", async (method, url, path) => {
    expectRefused(await t.app.inject({ method: method as "GET", url, headers: t.admin }), path);
  });

  it("a version id, a run id and a document id", async () => {
    const base = `/api/v1/bots/${botId}`;
    expectRefused(
      await t.app.inject({ method: "GET", url: `${base}/workflow-versions/v%00`, headers: t.admin }),
      "path.version",
    );
    expectRefused(
      await t.app.inject({ method: "GET", url: `${base}/workflow-executions/r%07`, headers: t.admin }),
      "path.run_id",
    );
    expectRefused(
      await t.app.inject({ method: "DELETE", url: `${base}/documents/d%00`, headers: t.admin }),
      "path.document_id",
    );
  });

  it("the session_id filter of the executions list", async () => {
    const res = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions?session_id=s%00`,
      headers: t.admin,
    });
    expectRefused(res, "query.session_id");
  });

  it("session_id and user_id of a chat, and session_id of a debug run", async () => {
    const chat = (body: Record<string, unknown>) =>
      t.app.inject({
        method: "POST",
        url: "/api/v1/chat",
        headers: t.admin,
        payload: { bot_id: botId, message: "hi", ...body },
      });
    expectRefused(await chat({ session_id: "s\u0000" }), "body.session_id");
    expectRefused(await chat({ session_id: "abc\r\nSet-Cookie: x=1" }), "body.session_id");
    expectRefused(await chat({ user_id: "u\u001b[31m" }), "body.user_id");
    expectRefused(await chat({ bot_id: `${botId}\u0000` }), "body.bot_id");
    const debug = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
      payload: { inputs: { query: "hi" }, session_id: "s\u0000" },
    });
    expectRefused(debug, "body.session_id");
    // Refused before anything ran: no run was recorded for these requests.
    expect((await t.storage.runs.list(botId)).items).toEqual([]);
  });

  it("accepts any other Unicode in an identifier", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botId, message: "hi", session_id: "séssion-日本-😀" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().session_id).toBe("séssion-日本-😀");
    const runs = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions?session_id=${encodeURIComponent("séssion-日本-😀")}`,
      headers: t.admin,
    });
    expect(runs.json().items.map((r: { id: string }) => r.id)).toEqual([res.json().run_id]);
  });
});
