import { useEffect, useReducer, useState } from "react";
import type { ApiClient } from "../api/api-client.ts";
import { parseRunStreamEvent, type RunStreamEvent } from "../api/run-stream-event.ts";
import { followRunEvents, type StreamConnection } from "./follow-run-events.ts";
import { applyRunEvent, EMPTY_LIVE_RUN, type LiveRunState } from "./live-run-state.ts";

/** Where following a run's events stands: streaming, ended with `run.finished`, or given up with an error. */
export type RunEventsStatus = StreamConnection | "idle" | "ended" | "failed";

export interface RunEvents {
  /** what the stream has shown (EMPTY_LIVE_RUN before its first event) */
  readonly state: LiveRunState;
  readonly status: RunEventsStatus;
  readonly error: Error | null;
}

function reduce(state: LiveRunState, action: RunStreamEvent | "reset"): LiveRunState {
  return action === "reset" ? EMPTY_LIVE_RUN : applyRunEvent(state, action);
}

/**
 * While `active`, follows `GET …/workflow-executions/{runId}/events` from its first event (the
 * server replays what happened before the page opened), reconnecting with Last-Event-ID; stops at
 * `run.finished`, when `active` turns false, or when the page goes away.
 */
export function useRunEvents(client: ApiClient, botId: string, runId: string, active: boolean): RunEvents {
  const [state, dispatch] = useReducer(reduce, EMPTY_LIVE_RUN);
  const [status, setStatus] = useState<RunEventsStatus>("idle");
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    dispatch("reset");
    setError(null);
    if (!active) {
      setStatus("idle");
      return;
    }
    const controller = new AbortController();
    const path = `/bots/${encodeURIComponent(botId)}/workflow-executions/${encodeURIComponent(runId)}/events`;
    followRunEvents({
      url: client.url(path),
      headers: client.authHeaders(),
      signal: controller.signal,
      onConnection: (connection) => {
        if (!controller.signal.aborted) setStatus(connection);
      },
      onEvent: (name, data) => {
        const event = parseRunStreamEvent(name, data);
        if (event !== undefined && !controller.signal.aborted) dispatch(event);
      },
    }).then(
      (finished) => {
        if (finished && !controller.signal.aborted) setStatus("ended");
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setStatus("failed");
      },
    );
    return () => controller.abort();
  }, [client, botId, runId, active]);
  return { state, status, error };
}
