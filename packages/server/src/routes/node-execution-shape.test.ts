import { randomUUID } from "node:crypto";
import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { botWithValidDraft } from "../testing/draft-runs.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { outcomesWorkflow } from "../testing/workflows.ts";
import { type NodeExecutionResponse, nodeExecutionSchema } from "./node-execution-schema.ts";
import { runEventPayloadSchema } from "./run-event-payload.ts";

let t: TestApp;
let api: HttpTestServer;

beforeAll(async () => {
  // every path answers 500: the http-request nodes below always fail
  api = await startHttpTestServer((_req, res) => {
    res.writeHead(500).end("broken");
  });
  t = await createTestApp({ nodes: { http: { allow: [`127.0.0.1:${api.port}`] } } });
});
afterAll(async () => {
  await t?.close();
  await api?.close();
});

/** How each node of the hello run ended: status, branch taken, how its failure was handled. */
const HELLO_OUTCOMES = {
  start: { status: "succeeded", branch: null, handled_by: null },
  lookup: { status: "failed", branch: null, handled_by: "default-value" },
  route: { status: "succeeded", branch: "greeting", handled_by: null },
  risky: { status: "failed", branch: "fail", handled_by: "fail-branch" },
  normal: { status: "skipped", branch: null, handled_by: null },
  apology: { status: "succeeded", branch: null, handled_by: null },
  other: { status: "skipped", branch: null, handled_by: null },
  end: { status: "succeeded", branch: null, handled_by: null },
};

/** The one assertion on the shape: every item parses as the exported NodeExecution schema, no key more or less. */
function nodeExecutions(items: unknown): NodeExecutionResponse[] {
  expect(Array.isArray(items)).toBe(true);
  return (items as unknown[]).map((item) => {
    const parsed = nodeExecutionSchema.strict().parse(item);
    expect(Object.keys(item as object).sort()).toEqual(Object.keys(nodeExecutionSchema.shape).sort());
    return parsed;
  });
}

const outcomes = (nodes: readonly NodeExecutionResponse[]) =>
  Object.fromEntries(nodes.map((n) => [n.node_id, { status: n.status, branch: n.branch, handled_by: n.handled_by }]));

/** What a streamed record and its stored row share (the row adds its id; its elapsed ms are rounded to µs). */
const comparable = ({ id: _id, elapsed_ms: _ms, ...rest }: NodeExecutionResponse) => rest;

const url = (botId: string, path: string) => `/api/v1/bots/${botId}/${path}`;

describe("one NodeExecution shape, with branch and handled_by", () => {
  it("draft/run, the run detail and the events stream show the same records, with the branch each node took and how its failure was handled", async () => {
    const botId = await botWithValidDraft(t, outcomesWorkflow(api.origin), "node shape");
    const run = await t.app.inject({
      method: "POST",
      url: url(botId, "workflow-versions/draft/run"),
      headers: t.admin,
      payload: { inputs: { query: "hello there" } },
    });
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({
      status: "partial-succeeded",
      outputs: { lookup: "nothing found", apology: "sorry", normal: null, other: null },
    });
    const fromDraftRun = nodeExecutions(run.json().node_executions);
    expect(outcomes(fromDraftRun)).toEqual(HELLO_OUTCOMES);

    const runId = run.json().run_id as string;
    const detail = await t.app.inject({
      method: "GET",
      url: url(botId, `workflow-executions/${runId}`),
      headers: t.admin,
    });
    expect(detail.statusCode).toBe(200);
    const fromDetail = nodeExecutions(detail.json().node_executions);
    expect(fromDetail).toEqual(fromDraftRun);

    const events = await t.app.inject({
      method: "GET",
      url: url(botId, `workflow-executions/${runId}/events`),
      headers: t.admin,
    });
    const payloads = parseSseEvents(events.body).map((e) => {
      const payload = runEventPayloadSchema.parse(e.data);
      expect(payload.type).toBe(e.event);
      expect(payload.run_id).toBe(runId);
      return payload;
    });
    const streamed = nodeExecutions(payloads.flatMap((p) => ("node_execution" in p ? [p.node_execution] : []))).sort(
      (a, b) => a.step_index - b.step_index,
    );
    expect(streamed.every((n) => n.id === null)).toBe(true);
    expect(outcomes(streamed)).toEqual(HELLO_OUTCOMES);
    expect(streamed.map(comparable)).toEqual(fromDetail.map(comparable));
    expect(payloads.at(-1)).toMatchObject({
      type: "run.finished",
      status: "partial-succeeded",
      total_steps: detail.json().total_steps,
      outputs: run.json().outputs,
    });
  });

  it("the else branch is recorded as `false`, the fail-branch node not run at all", async () => {
    const botId = await botWithValidDraft(t, outcomesWorkflow(api.origin), "node shape else");
    const run = await t.app.inject({
      method: "POST",
      url: url(botId, "workflow-versions/draft/run"),
      headers: t.admin,
      payload: { inputs: { query: "what?" } },
    });
    const nodes = outcomes(nodeExecutions(run.json().node_executions));
    expect(nodes.route).toEqual({ status: "succeeded", branch: "false", handled_by: null });
    expect(nodes.risky).toEqual({ status: "skipped", branch: null, handled_by: null });
    expect(nodes.other).toEqual({ status: "succeeded", branch: null, handled_by: null });
  });

  it("the single-node debug run answers the same shape: the if-else's branch, a default-value node's handling", async () => {
    const botId = await botWithValidDraft(t, outcomesWorkflow(api.origin), "node shape debug");
    const debug = (nodeId: string, inputs: object) =>
      t.app.inject({
        method: "POST",
        url: url(botId, `workflow-versions/draft/nodes/${nodeId}/run`),
        headers: t.admin,
        payload: { inputs },
      });
    const route = await debug("route", { q: "hello" });
    expect(route.statusCode).toBe(200);
    expect(outcomes(nodeExecutions(route.json().node_executions))).toEqual({
      route: { status: "succeeded", branch: "greeting", handled_by: null },
    });
    const lookup = await debug("lookup", {});
    expect(lookup.json()).toMatchObject({ status: "partial-succeeded", outputs: { body: "nothing found" } });
    const [record] = nodeExecutions(lookup.json().node_executions);
    expect(record).toMatchObject({ node_id: "lookup", status: "failed", handled_by: "default-value", branch: null });
    expect(record?.error?.code).toBe("HTTP_500");
  });

  it("streams only run.finished, from the stored run, for a run whose event log holds nothing (expired)", async () => {
    const botId = (await t.storage.bots.create({ name: "node shape expired" })).id;
    const runId = randomUUID();
    // written as another replica's RunService would, with no event in this server's log
    await t.storage.runSpecs.submit({ id: runId, botId, trigger: "api", inputs: {}, spec: {} });
    await t.storage.runSpecs.finishQueued(runId, { status: "cancelled", error: { message: "gone", code: "GONE" } });
    const events = await t.app.inject({
      method: "GET",
      url: url(botId, `workflow-executions/${runId}/events`),
      headers: t.admin,
    });
    const sent = parseSseEvents(events.body);
    expect(sent.map((e) => e.event)).toEqual(["run.finished"]);
    expect(runEventPayloadSchema.parse(sent[0]?.data)).toMatchObject({
      type: "run.finished",
      run_id: runId,
      status: "cancelled",
      error: { message: "gone", code: "GONE" },
      total_steps: 0,
      finished_at: expect.any(String),
    });
  });

  it("documents the shape in OpenAPI: NodeExecution with branch and handled_by, the events stream's 200 naming it", async () => {
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const node = doc.components.schemas.NodeExecution;
    expect(node.required).toEqual(expect.arrayContaining(["branch", "handled_by", "id"]));
    expect(node.properties.handled_by.anyOf ?? [node.properties.handled_by]).toContainEqual(
      expect.objectContaining({ enum: ["fail-branch", "default-value"] }),
    );
    const events = doc.paths["/api/v1/bots/{bot_id}/workflow-executions/{run_id}/events"].get;
    expect(events.responses["200"].content["text/event-stream"].schema.description).toContain("NodeExecution");
    expect(events.description).toContain("node_execution");
  });

  it("chat's node.finished events name the branch and the handling as NodeExecution does, without node values", async () => {
    const botId = await botWithValidDraft(t, outcomesWorkflow(api.origin), "node shape chat");
    const published = await t.app.inject({
      method: "POST",
      url: url(botId, "workflow-versions/draft/publish"),
      headers: t.admin,
    });
    expect(published.statusCode).toBe(201);
    await t.storage.bots.update(botId, { useWorkflowV2: true });
    const chat = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botId, message: "hello bot", stream: true },
    });
    const finished = parseSseEvents(chat.body).filter((e) => e.event === "node.finished");
    const byNode = Object.fromEntries(
      finished.map((e) => {
        const d = e.data as { node_id: string; status: string; branch: unknown; handled_by: unknown };
        return [d.node_id, { status: d.status, branch: d.branch, handled_by: d.handled_by }];
      }),
    );
    expect(byNode).toEqual(HELLO_OUTCOMES);
    for (const e of finished) expect(e.data).not.toHaveProperty("outputs");
  });
});
