import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { prefersRespondAsync } from "./run-attempt-async.ts";

let t: TestApp;
let api: HttpTestServer;
/** `/flaky` answers 500 this many more times. */
let flakyFailures = 0;
/** `/gate` waits until the test opens it. */
let gate = { open: Promise.resolve(), release: () => {} };
const calls = new Map<string, number>();

beforeAll(async () => {
  api = await startHttpTestServer((req, res) => {
    const path = (req.url.split("?")[0] ?? "").slice(1);
    calls.set(path, (calls.get(path) ?? 0) + 1);
    if (path === "flaky" && flakyFailures > 0) {
      flakyFailures--;
      res.writeHead(500).end("not yet");
      return;
    }
    const answer = () => {
      if (!res.destroyed) res.writeHead(200, { "content-type": "text/plain" }).end(`${path}-ok`);
    };
    if (path === "gate") gate.open.then(answer);
    else answer();
  });
  t = await createTestApp({ nodes: { http: { allow: [`127.0.0.1:${api.port}`] } } });
});
afterAll(async () => {
  gate.release();
  await t?.close();
  await api?.close();
});

function closeGate(): void {
  let release = () => {};
  const open = new Promise<void>((resolve) => {
    release = resolve;
  });
  gate = { open, release };
}

/** start → flaky → gate → end: fails at `flaky` while it fails, then waits at `gate`. */
async function botWithDraft(): Promise<string> {
  const call = (id: string) => ({ id, type: "http-request", config: { url: `${api.origin}/${id}` } });
  const graph = {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [] } },
      call("flaky"),
      call("gate"),
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["gate", "body"] }] },
    ],
    edges: [
      { source: "start", target: "flaky" },
      { source: "flaky", target: "gate" },
      { source: "gate", target: "end" },
    ],
  };
  const botId = (await t.storage.bots.create({ name: "async attempts" })).id;
  await t.app.inject({
    method: "PUT",
    url: `/api/v1/bots/${botId}/workflow-versions/draft`,
    headers: t.admin,
    payload: { graph },
  });
  return botId;
}

const runs = (botId: string) => `/api/v1/bots/${botId}/workflow-executions`;
const control = (botId: string, runId: string, action: string, prefer?: string) =>
  t.app.inject({
    method: "POST",
    url: `${runs(botId)}/${runId}/${action}`,
    headers: { ...t.admin, ...(prefer !== undefined && { prefer }) },
    payload: {},
  });

/** The new run's events, to its end. */
async function eventsOf(botId: string, runId: string): Promise<{ event: string; data: unknown }[]> {
  const response = await t.app.inject({ method: "GET", url: `${runs(botId)}/${runId}/events`, headers: t.admin });
  return parseSseEvents(response.body);
}

describe("Prefer: respond-async on resume and rerun", () => {
  it("reads the preference among others, in any case, and nothing else", () => {
    expect(prefersRespondAsync("respond-async")).toBe(true);
    expect(prefersRespondAsync("return=minimal, Respond-Async; wait=5")).toBe(true);
    expect(prefersRespondAsync(undefined)).toBe(false);
    expect(prefersRespondAsync("respond-asynchronously")).toBe(false);
  });

  it("answers a resume 202 with the new run's id while it still runs; the run then streams to its end", async () => {
    const botId = await botWithDraft();
    flakyFailures = 1;
    const failed = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
    });
    expect(failed.json().status).toBe("failed");
    const failedId = failed.json().run_id as string;

    closeGate();
    const accepted = await control(botId, failedId, "resume", "respond-async");
    expect(accepted.statusCode).toBe(202);
    const { run_id: newId, resumed_from } = accepted.json();
    expect(resumed_from).toBe(failedId);
    // answered before the run could end: its held call has not been answered yet
    const detail = await t.app.inject({ method: "GET", url: `${runs(botId)}/${newId}`, headers: t.admin });
    expect(["queued", "running"]).toContain(detail.json().status);
    gate.release();
    const events = await eventsOf(botId, newId);
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded" } });
    expect((await t.storage.runSpecs.get(newId))?.resumedFrom).toBe(failedId);
  });

  it("answers a rerun 202 too, and still refuses what it refused before (409 resuming a succeeded run)", async () => {
    const botId = await botWithDraft();
    flakyFailures = 0;
    gate.release();
    const ok = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
    });
    const okId = ok.json().run_id as string;
    const refused = await control(botId, okId, "resume", "respond-async");
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe("run_not_resumable");

    const accepted = await control(botId, okId, "rerun", "respond-async");
    expect(accepted.statusCode).toBe(202);
    expect(accepted.json().resumed_from).toBeNull();
    const events = await eventsOf(botId, accepted.json().run_id);
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded" } });
    // without the preference it still waits for the end and answers the finished run
    const waited = await control(botId, okId, "rerun");
    expect(waited.statusCode).toBe(200);
    expect(waited.json()).toMatchObject({ status: "succeeded", outputs: { answer: "gate-ok" } });
  });
});
