import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

function issuesOf(res: { json(): { error: { details: { issues: { path: string }[] } } } }): string[] {
  return res.json().error.details.issues.map((i) => i.path);
}

describe("names and notes PostgreSQL text columns cannot hold", () => {
  it("refuses NUL, other controls and lone surrogates in a bot name, naming the field", async () => {
    for (const name of ["a\u0000b", "two\nlines", "tab\there", "lone \ud800"]) {
      const res = await t.app.inject({ method: "POST", url: "/api/v1/bots", headers: t.admin, payload: { name } });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(issuesOf(res)).toEqual(["body.name"]);
    }
    const patch = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/bots/${(await t.storage.bots.create({ name: "ok" })).id}`,
      headers: t.admin,
      payload: { description: "x\u0000" },
    });
    expect(issuesOf(patch)).toEqual(["body.description"]);
  });

  it("refuses NUL and lone surrogates in draft and publish notes, and keeps tabs and line breaks", async () => {
    const botId = (await t.storage.bots.create({ name: "notes" })).id;
    const url = `/api/v1/bots/${botId}/workflow-versions/draft`;
    const nul = await t.app.inject({
      method: "PUT",
      url,
      headers: t.admin,
      payload: { graph: RAG_WORKFLOW_V2, notes: "a\u0000b" },
    });
    expect(nul.statusCode).toBe(400);
    expect(issuesOf(nul)).toEqual(["body.notes"]);
    const kept = await t.app.inject({
      method: "PUT",
      url,
      headers: t.admin,
      payload: { graph: RAG_WORKFLOW_V2, notes: "line 1\r\n\tline 2 — ünïcode 😀" },
    });
    expect(kept.statusCode).toBe(200);
    expect(kept.json().notes).toBe("line 1\r\n\tline 2 — ünïcode 😀");
    const publish = await t.app.inject({
      method: "POST",
      url: `${url}/publish`,
      headers: t.admin,
      payload: { notes: "half \udc00" },
    });
    expect(publish.statusCode).toBe(400);
    expect(issuesOf(publish)).toEqual(["body.notes"]);
  });
});
