import { createParser } from "eventsource-parser";
import { ApiError } from "../api/api-error.ts";

/** One Server-Sent Event of `POST /api/v1/chat` with `stream: true`. */
export interface ChatEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Sends one chat message with `stream: true` and hands each SSE event to `onEvent` as it
 * arrives (fetch + a ReadableStream reader + eventsource-parser: EventSource cannot POST or send
 * an Authorization header). Resolves when the stream ends.
 */
export async function streamChat(
  url: string,
  headers: Record<string, string>,
  body: { bot_id: string; message: string; session_id?: string },
  onEvent: (event: ChatEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ ...body, stream: true }),
    ...(signal !== undefined && { signal }),
  });
  if (!response.ok || response.body === null) throw await ApiError.from(response);
  const parser = createParser({
    onEvent: (message) => {
      let data: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(message.data);
        if (typeof parsed === "object" && parsed !== null) data = parsed as Record<string, unknown>;
      } catch {
        data = { text: message.data };
      }
      onEvent({ event: message.event ?? "message", data });
    },
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
}
