import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { ScriptedChatModel } from "../testing/scripted-chat-model.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { RAG_WORKFLOW_V1, RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

const model = new ScriptedChatModel({
  answer: (request) => {
    const last = request.messages.at(-1)?.content ?? "";
    if (last.includes("explode")) throw new Error("the model is down");
    return last.includes("slow") ? "word ".repeat(200) : `echo: ${last}`;
  },
  chunkDelayMs: 1,
});
let t: TestApp;
let baseUrl: string;

beforeAll(async () => {
  t = await createTestApp({ chatModel: model });
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await t?.close();
});

async function v2Bot(): Promise<string> {
  const bot = await t.storage.bots.create({ name: "v2 bot", useWorkflowV2: true });
  await t.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(bot.id);
  const [vector] = (await t.embedder.embed(["Portflow runs workflows of typed nodes."])).vectors;
  await t.storage.vectors.upsert(bot.id, [
    {
      documentId: "doc-1",
      chunkIndex: 0,
      content: "Portflow runs workflows of typed nodes.",
      metadata: { filename: "intro.md" },
      embedding: vector as number[],
    },
  ]);
  return bot.id;
}

function chat(body: Record<string, unknown>, headers: Record<string, string> = t.admin) {
  return t.app.inject({ method: "POST", url: "/api/v1/chat", headers, payload: body });
}

describe("POST /api/v1/chat", () => {
  it("runs the published V2 version and answers with response, sources, session and run ids", async () => {
    const botId = await v2Bot();
    const res = await chat({ bot_id: botId, message: "What does Portflow run?" });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.response).toContain("What does Portflow run?");
    expect(body.sources[0]).toMatchObject({ document_id: "doc-1", content: expect.stringContaining("Portflow") });
    expect(typeof body.session_id).toBe("string");
    const run = await t.storage.runs.get(botId, body.run_id);
    expect(run).toMatchObject({ trigger: "chat", status: "succeeded", sessionId: body.session_id });
    expect(run?.nodes.map((n) => n.nodeId)).toEqual(["start", "retrieve", "answer", "end"]);
  });

  it("feeds the session's earlier turns to the LLM node as messages", async () => {
    const botId = await v2Bot();
    const first = (await chat({ bot_id: botId, message: "first question" })).json();
    const before = model.requests.length;
    await chat({ bot_id: botId, message: "second question", session_id: first.session_id });
    const request = model.requests[before];
    expect(request?.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(request?.messages[0]?.content).toBe("first question");
    expect(request?.messages[1]?.content).toBe(first.response);
    // another session starts empty
    const fresh = model.requests.length;
    await chat({ bot_id: botId, message: "third" });
    expect(model.requests[fresh]?.messages).toHaveLength(1);
  });

  it("runs a V1 bot through the adapter", async () => {
    const bot = await t.storage.bots.create({ name: "legacy", useWorkflowV2: false, legacyWorkflow: RAG_WORKFLOW_V1 });
    const res = await chat({ bot_id: bot.id, message: "legacy question" });
    expect(res.statusCode).toBe(200);
    expect(res.json().response).toContain("legacy question");
    expect(Array.isArray(res.json().sources)).toBe(true);
  });

  it("answers 409 for an inactive bot, however it is set up", async () => {
    const bot = await t.storage.bots.create({
      name: "paused",
      status: "inactive",
      useWorkflowV2: false,
      legacyWorkflow: RAG_WORKFLOW_V1,
    });
    const res = await chat({ bot_id: bot.id, message: "hi" });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "bot_inactive" });
  });

  it("answers 409 for a bot without a workflow, and 404 for an unknown bot", async () => {
    const bot = await t.storage.bots.create({ name: "empty" });
    const res = await chat({ bot_id: bot.id, message: "hi" });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: "no_workflow", message: expect.stringContaining("no workflow") });
    expect((await chat({ bot_id: "missing", message: "hi" })).statusCode).toBe(404);
  });

  it("validates the request body with field paths", async () => {
    const res = await chat({ bot_id: "x", message: "" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues[0].path).toBe("body.message");
  });

  it("answers in Server-Sent Events over a real connection: run.started first, text deltas adding up to the answer, run.finished last", async () => {
    const botId = await v2Bot();
    const res = await fetch(`${baseUrl}/api/v1/chat`, {
      method: "POST",
      headers: { ...t.admin, "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ bot_id: botId, message: "stream please" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSseEvents(await res.text());
    const names = events.map((e) => e.event);
    expect(names[0]).toBe("run.started");
    expect(names).toContain("node.started");
    expect(names).toContain("node.finished");
    expect(names.at(-1)).toBe("run.finished");
    const text = events
      .filter((e) => e.event === "text")
      .map((e) => (e.data as { delta: string }).delta)
      .join("");
    const finished = events.at(-1)?.data as { response: string; sources: unknown[]; status: string; run_id: string };
    expect(finished.status).toBe("succeeded");
    expect(text).toBe(finished.response);
    expect(finished.sources.length).toBeGreaterThan(0);
  });

  it("reports a failed run: 500 run_failed in JSON, an error event in SSE, both with the run id", async () => {
    const botId = await v2Bot();
    const json = await chat({ bot_id: botId, message: "explode" });
    expect(json.statusCode).toBe(500);
    expect(json.json().error).toMatchObject({
      code: "run_failed",
      message: expect.stringContaining("the model is down"),
      details: { run_id: expect.any(String), node_id: "answer" },
    });
    expect((await t.storage.runs.get(botId, json.json().error.details.run_id))?.status).toBe("failed");

    const sse = await fetch(`${baseUrl}/api/v1/chat`, {
      method: "POST",
      headers: { ...t.admin, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "explode", stream: true }),
    });
    const events = parseSseEvents(await sse.text());
    expect(events.map((e) => e.event).slice(-2)).toEqual(["error", "run.finished"]);
    expect(events.at(-2)?.data).toMatchObject({ code: "run_failed" });
    expect(events.at(-1)?.data).toMatchObject({ status: "failed", response: "" });
    // a failed turn is not remembered
    const sessionId = (events[0]?.data as { session_id?: string } | undefined)?.session_id ?? "";
    const before = model.requests.length;
    await chat({ bot_id: botId, message: "after failure", session_id: sessionId });
    expect(model.requests[before]?.messages).toHaveLength(1);
  });

  it("cancels the run when the client disconnects, and records it cancelled", async () => {
    const botId = await v2Bot();
    const controller = new AbortController();
    const aborted = model.aborted;
    const res = await fetch(`${baseUrl}/api/v1/chat`, {
      method: "POST",
      headers: { ...t.admin, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "slow answer", stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes("event: text")) seen += new TextDecoder().decode((await reader.read()).value);
    const started = parseSseEvents(seen)[0];
    expect(started?.event).toBe("run.started");
    const runId = (started?.data as { run_id?: string } | undefined)?.run_id ?? "";
    controller.abort();
    await expect
      .poll(async () => (await t.storage.runs.get(botId, runId))?.status, { timeout: 10_000 })
      .toBe("cancelled");
    expect(model.aborted).toBeGreaterThan(aborted); // the signal reached the model call
    const run = await t.storage.runs.get(botId, runId);
    expect(run?.nodes.find((n) => n.nodeId === "answer")?.status).toBe("cancelled");
  });
});

describe("workflow executions", () => {
  it("lists runs with filters and a cursor, shows one with its nodes, and reports statistics", async () => {
    const botId = await v2Bot();
    for (const message of ["one", "two", "three"]) await chat({ bot_id: botId, message });
    const url = `/api/v1/bots/${botId}/workflow-executions`;
    const page1 = (await t.app.inject({ method: "GET", url: `${url}?limit=2`, headers: t.admin })).json();
    expect(page1.items).toHaveLength(2);
    expect(page1.next_cursor).toEqual(expect.any(String));
    const page2 = (
      await t.app.inject({
        method: "GET",
        url: `${url}?limit=2&cursor=${encodeURIComponent(page1.next_cursor)}`,
        headers: t.admin,
      })
    ).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.next_cursor).toBeNull();

    const failed = (
      await t.app.inject({ method: "GET", url: `${url}?status=failed,cancelled`, headers: t.admin })
    ).json();
    expect(failed.items).toEqual([]);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const later = (
      await t.app.inject({ method: "GET", url: `${url}?from=${encodeURIComponent(future)}`, headers: t.admin })
    ).json();
    expect(later.items).toEqual([]);
    const badStatus = await t.app.inject({ method: "GET", url: `${url}?status=bogus`, headers: t.admin });
    expect(badStatus.statusCode).toBe(400);

    const detail = await t.app.inject({ method: "GET", url: `${url}/${page1.items[0].id}`, headers: t.admin });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().node_executions.map((n: { node_id: string }) => n.node_id)).toEqual([
      "start",
      "retrieve",
      "answer",
      "end",
    ]);
    const stats = await t.app.inject({ method: "GET", url: `${url}/statistics`, headers: t.admin });
    expect(stats.statusCode).toBe(200);
    expect(stats.json()).toMatchObject({ total_runs: 3, by_status: { succeeded: 3 }, failure_rate: 0 });
    const missing = await t.app.inject({ method: "GET", url: `${url}/nope`, headers: t.admin });
    expect(missing.statusCode).toBe(404);
  });
});
