import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function newBot(): Promise<string> {
  return (await t.storage.bots.create({ name: "versions" })).id;
}

describe("workflow versions", () => {
  it("saves a draft with its problems, refuses a stale revision and publishing it while invalid", async () => {
    const botId = await newBot();
    const url = `/api/v1/bots/${botId}/workflow-versions`;
    const missing = await t.app.inject({ method: "GET", url: `${url}/draft`, headers: t.admin });
    expect(missing.statusCode).toBe(404);

    const broken = { schema_version: 2, nodes: [{ id: "x", type: "nope" }], edges: [] };
    const saved = await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: t.admin,
      payload: { graph: broken, revision: 0 },
    });
    expect(saved.statusCode).toBe(200);
    const draft = saved.json();
    expect(draft).toMatchObject({ status: "draft", revision: 1, valid: false });
    expect(draft.problems.length).toBeGreaterThan(0);
    expect(draft.problems[0]).toHaveProperty("path");
    expect(saved.headers.etag).toBe('"1"');

    const stale = await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: t.admin,
      payload: { graph: RAG_WORKFLOW_V2, revision: 0 },
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: "revision_conflict", details: { current_revision: 1 } });
    // in the request's own terms: the body field (or If-Match), never the storage's expectedRevision
    expect(stale.json().error.message).toContain('"revision" in the body = 1');
    expect(stale.json().error.message).toContain("If-Match");
    expect(stale.json().error.message).not.toContain("expectedRevision");
    const none = await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: t.admin,
      payload: { graph: RAG_WORKFLOW_V2 },
    });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).not.toContain("expectedRevision");
    expect(none.json().error.message).toContain('"force": true');

    const refused = await t.app.inject({ method: "POST", url: `${url}/draft/publish`, headers: t.admin });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe("workflow_invalid");
    expect(refused.json().error.details.problems.length).toBe(draft.problems.length);
  });

  it("publishes, lists, gets, restores and debug-runs versions", async () => {
    const botId = await newBot();
    const url = `/api/v1/bots/${botId}/workflow-versions`;
    const saved = await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: { ...t.admin, "if-match": '"0"' },
      payload: { graph: RAG_WORKFLOW_V2 },
    });
    expect(saved.json()).toMatchObject({ valid: true, problems: [] });

    const published = await t.app.inject({
      method: "POST",
      url: `${url}/draft/publish`,
      headers: t.admin,
      payload: { notes: "first" },
    });
    expect(published.statusCode).toBe(201);
    expect(published.json()).toMatchObject({ status: "published", version_number: 1, current: true });
    const bot = await t.app.inject({ method: "GET", url: `/api/v1/bots/${botId}`, headers: t.admin });
    expect(bot.json().published_version_id).toBe(published.json().id);

    const list = await t.app.inject({ method: "GET", url, headers: t.admin });
    expect(list.json().items.map((v: { version_number: number }) => v.version_number)).toEqual([1]);
    const byNumber = await t.app.inject({ method: "GET", url: `${url}/1`, headers: t.admin });
    expect(byNumber.json().id).toBe(published.json().id);
    const byId = await t.app.inject({ method: "GET", url: `${url}/${published.json().id}`, headers: t.admin });
    expect(byId.json().version_number).toBe(1);

    // change the draft, then restore version 1 into it
    const changed = structuredClone(RAG_WORKFLOW_V2) as unknown as { name?: string };
    changed.name = "changed";
    const edited = await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: t.admin,
      payload: { graph: changed, revision: saved.json().revision },
    });
    expect(edited.statusCode).toBe(200);
    const restored = await t.app.inject({ method: "POST", url: `${url}/1/restore`, headers: t.admin });
    expect(restored.statusCode).toBe(200);
    expect(restored.json().graph.name).toBeUndefined();
    expect(restored.json().restored_from_version_id).toBe(published.json().id);

    const run = await t.app.inject({
      method: "POST",
      url: `${url}/draft/run`,
      headers: t.admin,
      payload: { inputs: { query: "what is portflow?" } },
    });
    expect(run.statusCode).toBe(200);
    const result = run.json();
    expect(result.status).toBe("succeeded");
    expect(result.outputs.answer).toContain("what is portflow?");
    expect(result.node_executions.map((n: { node_id: string }) => n.node_id)).toEqual([
      "start",
      "retrieve",
      "answer",
      "end",
    ]);
    expect(result).not.toHaveProperty("nodes");
    const recorded = await t.storage.runs.get(botId, result.run_id);
    expect(recorded).toMatchObject({ trigger: "debug", status: "succeeded" });
    // the same records, in the same shape, as the run's detail
    const detail = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions/${result.run_id}`,
      headers: t.admin,
    });
    expect(result.node_executions).toEqual(detail.json().node_executions);

    const missingVersion = await t.app.inject({ method: "GET", url: `${url}/99`, headers: t.admin });
    expect(missingVersion.statusCode).toBe(404);
  });

  it("publishing an unchanged draft answers 200 with the current version; a changed one is 201 and the next number", async () => {
    const botId = await newBot();
    const url = `/api/v1/bots/${botId}/workflow-versions`;
    await t.app.inject({ method: "PUT", url: `${url}/draft`, headers: t.admin, payload: { graph: RAG_WORKFLOW_V2 } });
    const first = await t.app.inject({ method: "POST", url: `${url}/draft/publish`, headers: t.admin });
    expect(first.statusCode).toBe(201);
    const again = await t.app.inject({ method: "POST", url: `${url}/draft/publish`, headers: t.admin });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, version_number: 1, current: true });
    const list = await t.app.inject({ method: "GET", url, headers: t.admin });
    expect(list.json().total).toBe(1);

    const draft = (await t.app.inject({ method: "GET", url: `${url}/draft`, headers: t.admin })).json();
    await t.app.inject({
      method: "PUT",
      url: `${url}/draft`,
      headers: t.admin,
      payload: { graph: { ...RAG_WORKFLOW_V2, name: "changed" }, revision: draft.revision },
    });
    const changed = await t.app.inject({ method: "POST", url: `${url}/draft/publish`, headers: t.admin });
    expect(changed.statusCode).toBe(201);
    expect(changed.json().version_number).toBe(2);
  });

  it("tells a debug run's inputs from unknown keys: {query} at the top level is a 400 pointing at inputs", async () => {
    const botId = await newBot();
    await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2);
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
      payload: { query: "hi" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('unknown key "query"');
    expect(res.json().error.message).toContain('"inputs": {"query"');
    expect(await t.storage.runs.list(botId)).toMatchObject({ items: [] });
  });

  it("refuses to debug-run an invalid draft with its problems", async () => {
    const botId = await newBot();
    await t.storage.workflowVersions.saveDraft(botId, { schema_version: 2, nodes: [], edges: [] });
    const run = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
      payload: { inputs: { query: "hi" } },
    });
    expect(run.statusCode).toBe(422);
    expect(run.json().error.details.problems.length).toBeGreaterThan(0);
  });
});
