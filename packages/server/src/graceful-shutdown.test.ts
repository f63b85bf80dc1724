import type { AddressInfo } from "node:net";
import type { ChatModel, ChatOptions, ChatRequest, ChatResponse } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { CANCEL_WIND_DOWN_MS } from "./run-tracker.ts";
import { parseSseEvents } from "./sse-stream.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

/** Streams one word, then holds the answer until the test releases it (or the run is aborted). */
class GatedChatModel implements ChatModel {
  readonly model = "gated";
  #release: () => void = () => {};
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));

  release(): void {
    this.#release();
  }

  async chat(_request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    options.onText?.("first ");
    const signal = options.signal;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      void this.#released.then(resolve);
    });
    options.onText?.("last");
    return { text: "first last", usage: { input: 1, output: 2 }, stopReason: "end_turn", model: this.model };
  }
}

async function setUp(graceMs: number): Promise<{ t: TestApp; url: string; botId: string; model: GatedChatModel }> {
  const model = new GatedChatModel();
  const t = await createTestApp({ chatModel: model, config: { shutdownGraceMs: graceMs } });
  const bot = await t.storage.bots.create({ name: "shutdown" });
  await t.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(bot.id);
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  return { t, url: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`, botId: bot.id, model };
}

/** Starts a streamed chat and resolves once the first text delta arrived; `rest` is the whole stream. */
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

function runIdOf(events: ReturnType<typeof parseSseEvents>): string {
  return (events.at(-1)?.data as { run_id?: string } | undefined)?.run_id ?? "";
}

describe("graceful shutdown", () => {
  it("lets an in-flight run finish within the grace period", async () => {
    const { t, url, botId, model } = await setUp(30_000);
    const { rest } = await startChat(url, t, botId);
    const shutdown = t.app.shutdown();
    expect(t.app.runs.draining).toBe(true);
    model.release();
    await shutdown;
    const events = parseSseEvents(await rest);
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded" } });
    expect((await t.storage.runs.get(botId, runIdOf(events)))?.status).toBe("succeeded");
    await t.storage.close();
  });

  it("cancels runs still going after the grace period, records them cancelled, within grace + wind-down", async () => {
    const graceMs = 200;
    const { t, url, botId } = await setUp(graceMs);
    const { rest } = await startChat(url, t, botId);
    const started = performance.now();
    await t.app.shutdown();
    expect(performance.now() - started).toBeLessThan(graceMs + CANCEL_WIND_DOWN_MS);
    const events = parseSseEvents(await rest);
    expect(events.map((e) => e.event)).toContain("error");
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "cancelled" } });
    expect((await t.storage.runs.get(botId, runIdOf(events)))?.status).toBe("cancelled");
    await t.storage.close();
  });

  it("answers new requests 503 while draining, /health included", async () => {
    const { t, url, botId, model } = await setUp(30_000);
    const { rest } = await startChat(url, t, botId);
    const shutdown = t.app.shutdown();
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ error: { code: "service_unavailable" } });
    const chat = await fetch(`${url}/api/v1/chat`, {
      method: "POST",
      headers: { ...t.admin, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "too late" }),
    });
    expect(chat.status).toBe(503);
    model.release();
    await shutdown;
    await rest;
    await t.storage.close();
  });

  it("close() without shutdown() cancels in-flight runs at once instead of waiting the grace period", async () => {
    const { t, url, botId } = await setUp(60_000);
    const { rest } = await startChat(url, t, botId);
    const started = performance.now();
    await t.app.close();
    expect(performance.now() - started).toBeLessThan(CANCEL_WIND_DOWN_MS + 1_000);
    const events = parseSseEvents(await rest);
    expect((await t.storage.runs.get(botId, runIdOf(events)))?.status).toBe("cancelled");
    await t.storage.close();
  });
});
