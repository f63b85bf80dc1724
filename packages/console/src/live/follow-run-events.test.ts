import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/api-error.ts";
import { followRunEvents, type StreamConnection } from "./follow-run-events.ts";

/** An HTTP server answering each connection with `respond(n, headers, res)` (n from 1): a stream that drops, a 404… */
async function sseServer(respond: (n: number, headers: IncomingHttpHeaders, res: ServerResponse) => void) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    respond(seen.length, req.headers, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const frame = (id: string, event: string, data: object) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const FAST = { initialMs: 10, maxMs: 50, factor: 2 };

describe("followRunEvents", () => {
  it("reconnects after a dropped stream with Last-Event-ID and delivers each event once, then ends at run.finished", async () => {
    const server = await sseServer((n, _headers, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (n === 1) {
        res.write(frame("1", "run.started", { started_at: "2026-12-01T10:00:00.000Z" }));
        res.write(frame("2", "node.started", { node_id: "a" }));
        res.end("id: 3\nevent: node.fini"); // closed mid-event: the server resends it after 2
      } else {
        res.write(frame("3", "node.finished", { node_execution: { node_id: "a" } }));
        res.end(frame("4", "run.finished", { status: "succeeded" }));
      }
    });
    close = server.close;
    const events: string[] = [];
    const connections: StreamConnection[] = [];
    const finished = await followRunEvents({
      url: server.url,
      headers: { authorization: "Bearer k" },
      onEvent: (name) => events.push(name),
      onConnection: (c) => connections.push(c),
      signal: new AbortController().signal,
      backoff: FAST,
    });
    expect(finished).toBe(true);
    expect(events).toEqual(["run.started", "node.started", "node.finished", "run.finished"]);
    expect(server.seen.map((h) => h["last-event-id"])).toEqual([undefined, "2"]);
    expect(server.seen.every((h) => h.authorization === "Bearer k" && h.accept === "text/event-stream")).toBe(true);
    expect(connections).toEqual(["connecting", "live", "reconnecting", "live"]);
  });

  it("stops reading at run.finished even when the server keeps the connection open", async () => {
    const server = await sseServer((_n, _headers, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(frame("9", "run.finished", { status: "failed" }));
    });
    close = server.close;
    const finished = await followRunEvents({
      url: server.url,
      headers: {},
      onEvent: () => {},
      signal: new AbortController().signal,
    });
    expect(finished).toBe(true);
    expect(server.seen).toHaveLength(1);
  });

  it("gives up on a 404 with the API's message instead of reconnecting", async () => {
    const server = await sseServer((_n, _headers, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "not_found", message: "workflow execution not found", details: {} } }));
    });
    close = server.close;
    const following = followRunEvents({
      url: server.url,
      headers: {},
      onEvent: () => {},
      signal: new AbortController().signal,
      backoff: FAST,
    });
    await expect(following).rejects.toBeInstanceOf(ApiError);
    await expect(following).rejects.toMatchObject({ status: 404, message: "workflow execution not found" });
    expect(server.seen).toHaveLength(1);
  });

  it("retries a 503 and resolves false once aborted", async () => {
    const controller = new AbortController();
    const server = await sseServer((n, _headers, res) => {
      res.writeHead(503).end();
      if (n === 3) controller.abort();
    });
    close = server.close;
    const finished = await followRunEvents({
      url: server.url,
      headers: {},
      onEvent: () => {},
      signal: controller.signal,
      backoff: FAST,
    });
    expect(finished).toBe(false);
    expect(server.seen.length).toBe(3);
  });
});
