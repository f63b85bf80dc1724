import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { parseSseEvents } from "./sse-stream.ts";
import { ScriptedChatModel } from "./testing/scripted-chat-model.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

async function setUp(words: number, graceMs: number): Promise<{ t: TestApp; url: string; botId: string }> {
  const t = await createTestApp({
    chatModel: new ScriptedChatModel({ answer: () => "word ".repeat(words), chunkDelayMs: 10 }),
    config: { shutdownGraceMs: graceMs },
  });
  const bot = await t.storage.bots.create({ name: "shutdown" });
  await t.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(bot.id);
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  return { t, url: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`, botId: bot.id };
}

/** Starts a streamed chat and resolves once the first text delta arrived; `rest` is the remaining stream. */
async function startChat(url: string, t: TestApp, botId: string) {
  const res = await fetch(`${url}/api/v1/chat`, {
    method: "POST",
    headers: { ...t.admin, "content-type": "application/json" },
    body: JSON.stringify({ bot_id: botId, message: "tell me", stream: true }),
  });
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes("event: text")) text += new TextDecoder().decode((await reader.read()).value);
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += new TextDecoder().decode(value);
    }
  })();
  return { rest };
}

describe("graceful shutdown", () => {
  it("lets an in-flight run finish within the grace period", async () => {
    const { t, url, botId } = await setUp(10, 5_000);
    const { rest } = await startChat(url, t, botId);
    await t.app.close();
    const events = parseSseEvents(await rest);
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded" } });
    await t.storage.close();
  });

  it("cancels runs still going after the grace period and records them cancelled", async () => {
    const { t, url, botId } = await setUp(1_000, 200);
    const { rest } = await startChat(url, t, botId);
    const started = Date.now();
    await t.app.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    const events = parseSseEvents(await rest);
    expect(events.map((e) => e.event)).toContain("error");
    const finished = events.at(-1);
    expect(finished).toMatchObject({ event: "run.finished", data: { status: "cancelled" } });
    const runId = (finished?.data as { run_id?: string } | undefined)?.run_id ?? "";
    expect((await t.storage.runs.get(botId, runId))?.status).toBe("cancelled");
    await t.storage.close();
  });

  it("refuses new requests once closing", async () => {
    const { t, url, botId } = await setUp(1_000, 300);
    const { rest } = await startChat(url, t, botId);
    const closing = t.app.close();
    // still draining: the listener is open, but the answer is 503
    const late = await fetch(`${url}/health`);
    expect(late.status).toBe(503);
    await closing;
    await rest;
    await t.storage.close();
  });
});
