import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botWithValidDraft, runDraft } from "../testing/draft-runs.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

let t: TestApp;
let api: HttpTestServer;
/** How often each path was called, and whether `/step3` should fail its next call. */
const calls = new Map<string, number>();
let failStep3 = 0;
/** Requests to `/hang` wait here until the client goes away. */
let hung: (() => void) | undefined;

beforeAll(async () => {
  api = await startHttpTestServer((req, res) => {
    const path = (req.url.split("?")[0] ?? "").slice(1);
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    if (path === "hang") {
      hung?.();
      res.on("close", () => res.destroy());
      return;
    }
    if (path === "step3" && failStep3 > 0) {
      failStep3--;
      res.writeHead(500).end("not yet");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(`${path}-call${n}`);
  });
  t = await createTestApp({ nodes: { http: { allow: [`127.0.0.1:${api.port}`] } } });
});
afterAll(async () => {
  await t?.close();
  await api?.close();
});

/** start → step1 → step2 → step3 (gets step2's body as `prev`) → end; every step an http-request to the test API. */
function chain(origin: string, last = "step3") {
  const call = (id: string, path: string, prev?: string) => ({
    id,
    type: "http-request",
    config: { url: prev === undefined ? `${origin}/${path}` : `${origin}/${path}?prev={{prev}}` },
    ...(prev !== undefined && { variable_mappings: [{ target_port: "prev", selector: [prev, "body"] }] }),
  });
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [] } },
      call("step1", "step1"),
      call("step2", "step2"),
      call("step3", last, "step2"),
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["step3", "body"] }] },
    ],
    edges: [
      { source: "start", target: "step1" },
      { source: "step1", target: "step2" },
      { source: "step2", target: "step3" },
      { source: "step3", target: "end" },
    ],
  };
}

const botWithDraft = (graph: unknown) => botWithValidDraft(t, graph, "resume");
const draftRun = (botId: string) => runDraft(t, botId);
const control = (botId: string, runId: string, action: string, payload?: object) =>
  t.app.inject({
    method: "POST",
    url: `/api/v1/bots/${botId}/workflow-executions/${runId}/${action}`,
    headers: t.admin,
    ...(payload !== undefined && { payload }),
  });

async function saveAndPublish(botId: string, graph: unknown): Promise<{ id: string; version_number: number }> {
  const saved = await t.app.inject({
    method: "PUT",
    url: `/api/v1/bots/${botId}/workflow-versions/draft`,
    headers: t.admin,
    payload: { graph, force: true },
  });
  expect(saved.json()).toMatchObject({ valid: true });
  const published = await t.app.inject({
    method: "POST",
    url: `/api/v1/bots/${botId}/workflow-versions/draft/publish`,
    headers: t.admin,
  });
  expect(published.statusCode).toBe(201);
  return published.json();
}

/** The chain with step2 calling another path: step2's config differs. */
function withStep2Path(graph: ReturnType<typeof chain>, path: string) {
  return {
    ...graph,
    nodes: graph.nodes.map((n) => (n.id === "step2" ? { ...n, config: { url: `${api.origin}/${path}` } } : n)),
  };
}

describe("run control routes", () => {
  it("resumes a failed run from the failed node: earlier nodes are not called again, their recorded outputs feed it, the detail links the runs", async () => {
    calls.clear();
    failStep3 = 1;
    const botId = await botWithDraft(chain(api.origin));
    const failed = await draftRun(botId);
    expect(failed.json()).toMatchObject({ status: "failed", error: { code: "HTTP_500" } });
    expect(failed.json().error.message).toContain("step3");
    const failedId = failed.json().run_id as string;

    const resumed = await control(botId, failedId, "resume");
    expect(resumed.statusCode).toBe(200);
    const body = resumed.json();
    expect(body).toMatchObject({ status: "succeeded", resumed_from: failedId, outputs: { answer: "step3-call2" } });
    expect(body.run_id).not.toBe(failedId);
    // step1 and step2 ran once, in the failed run; step3 twice, and the second time with step2's recorded body.
    expect(Object.fromEntries(calls)).toEqual({ step1: 1, step2: 1, step3: 2 });
    expect(api.requests.filter((r) => r.url.startsWith("/step3")).at(-1)?.url).toBe("/step3?prev=step2-call1");

    const detail = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions/${body.run_id}`,
      headers: t.admin,
    });
    const nodes = detail.json().node_executions as { node_id: string; step_index: number }[];
    expect(nodes.map((n) => [n.node_id, n.step_index])).toEqual([
      ["step3", 5],
      ["end", 6],
    ]);
    expect((await t.storage.runSpecs.get(body.run_id))?.resumedFrom).toBe(failedId);
    expect(detail.json().resumed_from).toBe(failedId);
  });

  it("resumes from_node: that node and everything downstream run again, the nodes before it do not", async () => {
    calls.clear();
    failStep3 = 1;
    const botId = await botWithDraft(chain(api.origin));
    const failedId = (await draftRun(botId)).json().run_id as string;
    const resumed = await control(botId, failedId, "resume", { from_node: "step2" });
    expect(resumed.json()).toMatchObject({ status: "succeeded", outputs: { answer: "step3-call2" } });
    expect(Object.fromEntries(calls)).toEqual({ step1: 1, step2: 2, step3: 2 });
    expect(api.requests.filter((r) => r.url.startsWith("/step3")).at(-1)?.url).toBe("/step3?prev=step2-call2");
  });

  it("refuses to resume a succeeded run (409) or from an unknown node (400 naming body.from_node)", async () => {
    failStep3 = 0;
    const botId = await botWithDraft(chain(api.origin));
    const ok = await draftRun(botId);
    expect(ok.json().status).toBe("succeeded");
    const refused = await control(botId, ok.json().run_id, "resume");
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("run_not_resumable");

    failStep3 = 1;
    const failedId = (await draftRun(botId)).json().run_id as string;
    const unknown = await control(botId, failedId, "resume", { from_node: "nope" });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json().error)).toContain("body.from_node");
    const other = await botWithDraft(chain(api.origin));
    expect((await control(other, failedId, "resume")).statusCode).toBe(404);
  });

  it("reruns a run from scratch with the same spec: every node is called again", async () => {
    calls.clear();
    failStep3 = 0;
    const botId = await botWithDraft(chain(api.origin));
    const first = (await draftRun(botId)).json().run_id as string;
    const again = await control(botId, first, "rerun");
    expect(again.json()).toMatchObject({ status: "succeeded", resumed_from: null, outputs: { answer: "step3-call2" } });
    expect(Object.fromEntries(calls)).toEqual({ step1: 2, step2: 2, step3: 2 });
  });

  it("cancels a running run: the call in flight is aborted and the run is recorded cancelled", async () => {
    const botId = await botWithDraft(chain(api.origin, "hang"));
    const reached = new Promise<void>((resolve) => {
      hung = resolve;
    });
    const running = draftRun(botId);
    await reached;
    const [run] = (await t.storage.runs.list(botId, { status: "running" })).items;
    expect(run).toBeDefined();
    const cancel = await control(botId, run?.id ?? "", "cancel");
    expect(cancel.statusCode).toBe(202);
    expect(cancel.json()).toEqual({ run_id: run?.id, outcome: "stopping" });
    expect((await running).json()).toMatchObject({ status: "cancelled" });
    expect((await t.storage.runs.get(botId, run?.id ?? ""))?.status).toBe("cancelled");
    const late = await control(botId, run?.id ?? "", "cancel");
    expect(late.json().outcome).toBe("finished");
  });

  it("resumes on a compatible published version: reused nodes are not called again, the failed node runs as that version has it", async () => {
    calls.clear();
    failStep3 = 1;
    const botId = await botWithDraft(chain(api.origin));
    const failedId = (await draftRun(botId)).json().run_id as string;
    await saveAndPublish(botId, chain(api.origin));
    // v2 points step3 elsewhere: step3 failed, so its config may change
    const v2 = await saveAndPublish(botId, chain(api.origin, "fixed"));
    expect(v2.version_number).toBe(2);

    const resumed = await control(botId, failedId, "resume", { version: 2 });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({
      status: "succeeded",
      resumed_from: failedId,
      outputs: { answer: "fixed-call1" },
    });
    expect(Object.fromEntries(calls)).toEqual({ step1: 1, step2: 1, step3: 1, fixed: 1 });
    expect(api.requests.at(-1)?.url).toBe("/fixed?prev=step2-call1");
    expect((await t.storage.runs.get(botId, resumed.json().run_id))?.workflowVersionId).toBe(v2.id);
  });

  it("refuses a version that changed a reused node (409 version_incompatible naming it and why), but resumes from that node on it", async () => {
    calls.clear();
    failStep3 = 1;
    const botId = await botWithDraft(chain(api.origin));
    const failedId = (await draftRun(botId)).json().run_id as string;
    await saveAndPublish(botId, chain(api.origin));
    await saveAndPublish(botId, withStep2Path(chain(api.origin), "step2b"));

    const refused = await control(botId, failedId, "resume", { version: 2 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toMatchObject({
      code: "version_incompatible",
      details: { version: 2, node_id: "step2", reason: "config changed" },
    });
    expect(refused.json().error.message).toContain('node "step2"');
    expect(Object.fromEntries(calls)).toEqual({ step1: 1, step2: 1, step3: 1 });

    const fromStep2 = await control(botId, failedId, "resume", { version: 2, from_node: "step2" });
    expect(fromStep2.json()).toMatchObject({ status: "succeeded", outputs: { answer: "step3-call2" } });
    expect(Object.fromEntries(calls)).toEqual({ step1: 1, step2: 1, step2b: 1, step3: 2 });

    const missing = await control(botId, failedId, "resume", { version: 9 });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe("workflow version 9 not found");
    const bad = await control(botId, failedId, "resume", { version: "two" });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().error)).toContain("body.version");
  });
});
