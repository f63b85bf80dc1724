import { connect } from "node:net";
import Fastify from "fastify";
import { afterAll, expect, it } from "vitest";
import { installErrorHandling } from "./error-handler.ts";
import { MAX_UNREAD_SSE_BYTES, parseSseEvents, SseStream } from "./sse-stream.ts";

const app = Fastify();
installErrorHandling(app);
let outcome: { sentBytes: number; reason: unknown } | undefined;
app.get("/events", async (_request, reply) => {
  const sse = SseStream.open(reply);
  const chunk = { delta: "x".repeat(64 * 1024) };
  let sentBytes = 0;
  // Write until the stream gives up on the client (or far past any socket buffer).
  while (!sse.closed && sentBytes < 64 * 1024 * 1024) {
    sse.send("text", chunk);
    sentBytes += chunk.delta.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  outcome = { sentBytes, reason: sse.signal.reason };
});
app.get("/bad-header", async (_request, reply) => {
  SseStream.open(reply, { "x-session": "abc\r\nSet-Cookie: x=1" });
});
afterAll(() => app.close());
let listening: Promise<string> | undefined;
const address = () => {
  listening ??= app.listen({ host: "127.0.0.1", port: 0 });
  return listening;
};

it("frames events as SSE and parses them back", () => {
  const text = `event: text\ndata: {"delta":"Hel"}\n\nevent: run.finished\ndata: {"answer":"Hello"}\n\n`;
  expect(parseSseEvents(text)).toEqual([
    { event: "text", data: { delta: "Hel" } },
    { event: "run.finished", data: { answer: "Hello" } },
  ]);
});

it("gives up on a client that stops reading, aborting its signal", async () => {
  const { port } = new URL(await address());
  const socket = connect(Number(port), "127.0.0.1");
  socket.write("GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  socket.pause(); // never read
  await expect.poll(() => outcome, { timeout: 20_000, interval: 50 }).toBeDefined();
  socket.destroy();
  expect(String(outcome?.reason)).toContain("client stopped reading the event stream");
  expect(outcome?.sentBytes).toBeGreaterThan(MAX_UNREAD_SSE_BYTES);
  expect(outcome?.sentBytes).toBeLessThan(64 * 1024 * 1024);
});

it("answers at once when a header cannot be sent, instead of hijacking the reply and going silent", async () => {
  const res = await fetch(`${await address()}/bad-header`, { signal: AbortSignal.timeout(5_000) });
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: { code: "internal_error", message: expect.any(String), details: {} } });
  expect(res.headers.get("set-cookie")).toBeNull();
});
