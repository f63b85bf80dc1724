import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

/** What jsonb refuses (NUL, lone surrogates) next to text that looks like the storage escape. */
const AWKWARD = "nul \u0000 high \ud800 low \udfff pair 😀 marker \ufdd0 0000 crlf \r\n";

let t: TestApp;
let botId: string;
beforeAll(async () => {
  t = await createTestApp();
  botId = (await t.storage.bots.create({ name: "lossless", status: "active" })).id;
  await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(botId);
});
afterAll(async () => {
  await t?.close();
});

function execution(runId: string) {
  return t.app.inject({ method: "GET", url: `/api/v1/bots/${botId}/workflow-executions/${runId}`, headers: t.admin });
}

describe("free text inside JSON is stored losslessly", () => {
  it("records a chat whose message holds NUL and lone surrogates, with the message unchanged", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botId, message: AWKWARD },
    });
    expect(res.statusCode).toBe(200);
    const run = await execution(res.json().run_id);
    expect(run.statusCode).toBe(200);
    expect(run.json()).toMatchObject({ status: "succeeded", inputs: { query: AWKWARD } });
    const start = run.json().node_executions.find((n: { node_id: string }) => n.node_id === "start");
    expect(start.outputs.query).toBe(AWKWARD);
  });

  it("records a debug run's inputs unchanged", async () => {
    const inputs = { query: AWKWARD, [`key ${AWKWARD}`]: [AWKWARD, { nested: AWKWARD }] };
    const res = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
      payload: { inputs },
    });
    expect(res.statusCode).toBe(200);
    const run = await execution(res.json().run_id);
    expect(run.json().inputs).toMatchObject(inputs);
  });

  it("saves a draft whose strings hold NUL and lone surrogates and reads it back equal", async () => {
    const graph = structuredClone(RAG_WORKFLOW_V2) as unknown as Record<string, unknown>;
    graph.description = AWKWARD;
    graph[AWKWARD] = { [AWKWARD]: [AWKWARD] };
    const url = `/api/v1/bots/${botId}/workflow-versions/draft`;
    const saved = await t.app.inject({ method: "PUT", url, headers: t.admin, payload: { graph, force: true } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().graph).toEqual(graph);
    const read = await t.app.inject({ method: "GET", url, headers: t.admin });
    expect(read.json().graph).toEqual(graph);
  });
});
