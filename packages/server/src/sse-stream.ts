/**
 * Server-Sent Events over a hijacked Fastify reply.
 * @module
 */

import { validateHeaderName, validateHeaderValue } from "node:http";
import { createParser } from "eventsource-parser";
import type { FastifyReply } from "fastify";

/**
 * Bytes an SSE client may leave unread before it counts as gone. A chat answer is kilobytes; a
 * client that lets a megabyte pile up has stopped reading, and its run should not go on for it.
 */
export const MAX_UNREAD_SSE_BYTES = 1024 * 1024;

/**
 * An open SSE response. `signal` aborts when the client goes away before `close()`, or stops
 * reading (more than MAX_UNREAD_SSE_BYTES buffered).
 *
 * @example
 * const sse = SseStream.open(reply);
 * sse.send("text", { delta: "Hel" });
 * sse.close();
 */
export class SseStream {
  readonly #reply: FastifyReply;
  readonly #controller = new AbortController();
  #closed = false;

  private constructor(reply: FastifyReply) {
    this.#reply = reply;
    reply.raw.on("close", () => {
      if (!this.#closed) {
        this.#closed = true;
        this.#controller.abort(new Error("client disconnected"));
      }
    });
  }

  /**
   * Takes the response over from Fastify and writes the SSE headers. The headers are checked
   * first: a bad one throws while Fastify still owns the reply (and answers with an error),
   * never after the hijack, where nothing would answer and the client would wait forever.
   */
  static open(reply: FastifyReply, headers: Readonly<Record<string, string>> = {}): SseStream {
    const all: Record<string, string> = {
      ...Object.fromEntries(Object.entries(reply.getHeaders()).map(([k, v]) => [k, String(v)])),
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      // never stored by a browser or proxy (like every /api response), never recompressed
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    };
    for (const [name, value] of Object.entries(all)) {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    }
    reply.hijack();
    const raw = reply.raw;
    try {
      raw.writeHead(200, all);
      raw.flushHeaders();
    } catch (error) {
      raw.destroy(error as Error); // the client sees the connection close instead of a silent wait
      throw error;
    }
    return new SseStream(reply);
  }

  /** Aborts when the client disconnects. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Writes one event; `data` is sent as JSON, `id` (when given) as its `id:` line. Ignored once closed. */
  send(event: string, data: unknown, id?: string): void {
    if (this.#closed) return;
    const raw = this.#reply.raw;
    raw.write(id === undefined ? formatSseEvent(event, data) : `id: ${id}\n${formatSseEvent(event, data)}`);
    if (raw.writableLength > MAX_UNREAD_SSE_BYTES) {
      this.#closed = true;
      this.#controller.abort(new Error("client stopped reading the event stream"));
      raw.destroy();
    }
  }

  /** A comment line, to keep proxies from timing the stream out. */
  ping(): void {
    if (!this.#closed) this.#reply.raw.write(": ping\n\n");
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reply.raw.end();
  }
}

/** One SSE frame: `event:` line and the JSON data (split on newlines, as the format asks). */
export function formatSseEvent(event: string, data: unknown): string {
  const json = JSON.stringify(data) ?? "null";
  return `event: ${event}\n${json
    .split("\n")
    .map((line) => `data: ${line}`)
    .join("\n")}\n\n`;
}

/** Parses a whole SSE body into events with JSON data (for clients and tests), via eventsource-parser. */
export function parseSseEvents(text: string): { event: string; data: unknown }[] {
  const events: { event: string; data: unknown }[] = [];
  const parser = createParser({
    onEvent: (message) => events.push({ event: message.event ?? "message", data: JSON.parse(message.data) }),
  });
  parser.feed(text);
  parser.reset({ consume: true }); // a last event without its blank line still counts
  return events;
}
