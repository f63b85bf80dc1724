import { createParser } from "eventsource-parser";
import { ApiError } from "../api/api-error.ts";
import { LIVE_POLL, nextPollDelay, type PollBackoff } from "../components/poll-delay.ts";

/** How the stream of a followed run is doing, for the page to say. */
export type StreamConnection = "connecting" | "live" | "reconnecting";

export interface FollowRunEventsOptions {
  /** `…/workflow-executions/{run_id}/events` */
  readonly url: string;
  /** the Authorization header (EventSource cannot send one: this is why fetch streams it) */
  readonly headers: Readonly<Record<string, string>>;
  /** each SSE event: its `event:` name and its JSON data (undefined when it was not JSON) */
  readonly onEvent: (name: string, data: unknown) => void;
  readonly onConnection?: (connection: StreamConnection) => void;
  readonly signal: AbortSignal;
  /** the wait before reconnecting, growing while reconnects fail (default: 1 s … 10 s) */
  readonly backoff?: PollBackoff;
}

/**
 * Follows a run's event stream until `run.finished` (resolves true) or `signal` (resolves false).
 * When the connection drops first, it reconnects with `Last-Event-ID` set to the last id received,
 * so the server continues after it and nothing is shown twice. A 4xx other than 429 rejects with
 * the API's error (the run is gone, the key was revoked: reconnecting would not help).
 */
export async function followRunEvents(options: FollowRunEventsOptions): Promise<boolean> {
  const { signal } = options;
  let lastId: string | undefined;
  let finished = false;
  let delay: number | null = null;
  const parser = createParser({
    onEvent: (message) => {
      if (message.id !== undefined) lastId = message.id;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        data = undefined;
      }
      const name = message.event ?? "message";
      if (name === "run.finished") finished = true;
      options.onEvent(name, data);
    },
  });
  for (let first = true; !signal.aborted; first = false) {
    options.onConnection?.(first ? "connecting" : "reconnecting");
    try {
      const response = await fetch(options.url, {
        headers: {
          ...options.headers,
          accept: "text/event-stream",
          ...(lastId !== undefined && { "last-event-id": lastId }),
        },
        signal,
      });
      if (!response.ok || response.body === null) {
        const error = await ApiError.from(response);
        if (error.status >= 400 && error.status < 500 && error.status !== 429) throw error;
      } else {
        options.onConnection?.("live");
        delay = null;
        parser.reset();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        try {
          while (!finished) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.feed(value);
          }
        } finally {
          if (finished) await reader.cancel().catch(() => {});
        }
        if (finished) return true;
      }
    } catch (error) {
      if (error instanceof ApiError || signal.aborted) {
        if (signal.aborted) return false;
        throw error;
      }
      // a dropped connection or a network error: try again
    }
    delay = nextPollDelay(delay, false, options.backoff ?? LIVE_POLL);
    if (!(await wait(delay, signal))) return false;
  }
  return false;
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", abort);
      resolve(true);
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", abort, { once: true });
  });
}
