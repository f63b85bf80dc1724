import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CountingHttpApi, startCountingHttpApi } from "../testing/counting-http-api.ts";
import { botWithValidDraft, runDraft } from "../testing/draft-runs.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { fetchShoutWorkflow } from "../testing/workflows.ts";

let t: TestApp;
/** Counts the calls to each path; `/fail` always answers 500. */
let api: CountingHttpApi;

beforeAll(async () => {
  api = await startCountingHttpApi({ fail: "broken" });
  t = await createTestApp({ nodes: { http: { allow: [`127.0.0.1:${api.port}`] } } });
});
afterAll(async () => {
  await t?.close();
  await api?.close();
});

/** start → fetch → shout (gets fetch's body as `prev`) → end; both steps http-requests to the test API. */
const graph = (fetchPath?: string) => fetchShoutWorkflow(api.origin, fetchPath);
const botWithDraft = (graph: unknown) => botWithValidDraft(t, graph, "debug node");

const debugNode = (botId: string, nodeId: string, payload?: object) =>
  t.app.inject({
    method: "POST",
    url: `/api/v1/bots/${botId}/workflow-versions/draft/nodes/${nodeId}/run`,
    headers: t.admin,
    ...(payload !== undefined && { payload }),
  });
const draftRun = (botId: string) => runDraft(t, botId);

describe("single-node debug route", () => {
  it("runs one node with explicit inputs: only that node is called, and the run records it alone with trigger debug", async () => {
    api.calls.clear();
    const botId = await botWithDraft(graph());
    const res = await debugNode(botId, "shout", { inputs: { prev: "hello" } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: "succeeded", outputs: { body: "shout-call1" }, error: null });
    expect(body.node_executions.map((n: { node_id: string }) => n.node_id)).toEqual(["shout"]);
    expect(body.node_executions[0].inputs).toEqual({ prev: "hello" });
    expect(Object.fromEntries(api.calls)).toEqual({ shout: 1 });
    expect(api.requests.at(-1)?.url).toBe("/shout?prev=hello");
    const run = await t.storage.runs.get(botId, body.run_id);
    expect(run).toMatchObject({ trigger: "debug", status: "succeeded" });
    expect(run?.nodes.map((n) => n.nodeId)).toEqual(["shout"]);
  });

  it("runs one node with the inputs a run recorded upstream of it (from_run): upstream nodes are not called again", async () => {
    api.calls.clear();
    const botId = await botWithDraft(graph());
    const first = await draftRun(botId);
    expect(first.json()).toMatchObject({ status: "succeeded", outputs: { answer: "shout-call1" } });
    const res = await debugNode(botId, "shout", { from_run: first.json().run_id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "succeeded", outputs: { body: "shout-call2" } });
    expect(res.json().node_executions[0].inputs).toEqual({ prev: "fetch-call1" });
    expect(Object.fromEntries(api.calls)).toEqual({ fetch: 1, shout: 2 });
    expect(api.requests.at(-1)?.url).toBe("/shout?prev=fetch-call1");
  });

  it("answers a failing node with the run's failed status and the node's error", async () => {
    const botId = await botWithDraft(graph("fail"));
    const res = await debugNode(botId, "fetch", { inputs: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "failed", error: { code: "HTTP_500" }, outputs: {} });
    expect(res.json().error.message).toContain('node "fetch"');
    expect(res.json().node_executions).toHaveLength(1);
  });

  it("answers 409 inputs_not_recorded naming the upstream node when from_run never recorded its outputs", async () => {
    const botId = await botWithDraft(graph("fail"));
    const failed = await draftRun(botId);
    expect(failed.json()).toMatchObject({ status: "failed", error: { code: "HTTP_500" } });
    const res = await debugNode(botId, "shout", { from_run: failed.json().run_id });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({
      code: "inputs_not_recorded",
      details: { node_id: "fetch", port: "prev" },
    });
    expect(res.json().error.message).toContain('node "fetch"');
  });

  it("refuses a body without exactly one of inputs and from_run (400 naming them)", async () => {
    const botId = await botWithDraft(graph());
    for (const payload of [undefined, {}, { inputs: {}, from_run: "r" }]) {
      const res = await debugNode(botId, "shout", payload);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("validation_error");
      expect(res.json().error.message).toContain('"inputs" or "from_run"');
    }
    const both = await debugNode(botId, "shout", { inputs: {}, from_run: "r" });
    expect(both.json().error.details.issues[0].path).toBe("body.from_run");
    const typo = await debugNode(botId, "shout", { input: { prev: "x" } });
    expect(typo.json().error.message).toContain('unknown key "input" (did you mean "inputs"?)');
  });

  it("answers 400 naming an input port the node does not have", async () => {
    const botId = await botWithDraft(graph());
    const res = await debugNode(botId, "shout", { inputs: { prev: "x", nope: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues).toEqual([
      {
        path: "body.inputs.nope",
        message: 'node "shout" has no input port "nope" (its config reads no such name) (inputs: file, prev)',
      },
    ]);
  });

  it("answers 404 naming an unknown node, 409 for the start node", async () => {
    const botId = await botWithDraft(graph());
    const unknown = await debugNode(botId, "nosuch", { inputs: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toBe('node "nosuch" not found in the draft');
    const start = await debugNode(botId, "start", { inputs: {} });
    expect(start.statusCode).toBe(409);
    expect(start.json().error.code).toBe("node_not_debuggable");
  });

  it("keeps bots apart: another bot's run as from_run is a 404, and that run is not read", async () => {
    api.calls.clear();
    const other = await botWithDraft(graph());
    const otherRun = (await draftRun(other)).json().run_id as string;
    const botId = await botWithDraft(graph());
    const res = await debugNode(botId, "shout", { from_run: otherRun });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({ code: "not_found", message: "workflow execution not found" });
    expect(res.body).not.toContain("fetch-call1");
    expect(Object.fromEntries(api.calls)).toEqual({ fetch: 1, shout: 1 });
  });
});
