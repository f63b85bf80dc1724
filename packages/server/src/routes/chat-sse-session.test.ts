import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

/** A stream that has not ended by then never will: the old code sent 0 bytes and hung. */
const STREAM_BOUND_MS = 10_000;

let t: TestApp;
let baseUrl: string;
let botId: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  botId = (await t.storage.bots.create({ name: "sse sessions", status: "active" })).id;
  await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(botId);
});
afterAll(async () => {
  await t?.close();
});

function streamChat(sessionId: string) {
  return fetch(`${baseUrl}/api/v1/chat`, {
    method: "POST",
    headers: { ...t.admin, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: botId, message: "hello", session_id: sessionId, stream: true }),
    signal: AbortSignal.timeout(STREAM_BOUND_MS),
  });
}

describe("SSE chat with an unusual session id, over a real connection", () => {
  it("streams to the end for a non-ASCII session id, sent percent-encoded in the header", async () => {
    const sessionId = "séssion-日本";
    const res = await streamChat(sessionId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(decodeURIComponent(res.headers.get("x-portflow-session-id") ?? "")).toBe(sessionId);
    const events = parseSseEvents(await res.text()); // resolves only when the stream ends
    const finished = events.find((e) => e.event === "run.finished");
    expect(finished?.data).toMatchObject({ status: "succeeded", session_id: sessionId });
  });

  it("answers 400 at once for a session id with CR/LF, and no header is injected", async () => {
    const res = await streamChat("abc\r\nSet-Cookie: x=1");
    expect(res.status).toBe(400);
    expect(res.headers.get("set-cookie")).toBeNull();
    const body = (await res.json()) as { error: { details: { issues: { path: string }[] } } };
    expect(body.error.details.issues[0]?.path).toBe("body.session_id");
  });
});
