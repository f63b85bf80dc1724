import { useCallback, useState } from "react";
import { ApiError } from "../api/api-error.ts";
import type { Identity } from "../auth/sign-in.ts";
import { routeHash } from "../routing/parse-route.ts";
import { rememberRunOrigin } from "./run-origins.ts";

/** What the last action on the run did, in words (shown in a status line). */
export interface ActionNotice {
  readonly tone: "info" | "error";
  readonly title: string;
  readonly message: string;
  /** shown instead of `message` once the run has ended (a cancel that was still stopping it) */
  readonly whenEnded?: string;
}

export interface RunActionsState {
  /** the action in flight */
  readonly busy: "cancel" | "resume" | "rerun" | null;
  readonly notice: ActionNotice | null;
  cancel(): void;
  resume(fromNode?: string): void;
  rerun(): void;
}

const CANCEL_OUTCOME = {
  cancelled: "It was still queued: it is cancelled and will not run.",
  stopping: "The run is being stopped; this page shows it as it ends.",
  finished: "The run had already ended.",
} as const;

/** Hints for the refusals a user can meet, after the API's own message. */
const HINTS: Record<string, string> = {
  run_not_resumable: "Only a failed, interrupted or cancelled run recorded with a run spec can run again.",
  workflow_changed: "The workflow version this run used is gone or changed: start a new run instead.",
  validation_error: "Pick another node to resume from.",
};

function errorNotice(action: string, error: unknown): ActionNotice {
  if (error instanceof ApiError) {
    const hint = HINTS[error.code];
    return {
      tone: "error",
      title: `${action} refused: ${error.status} ${error.code}`,
      message: hint === undefined ? error.message : `${error.message}. ${hint}`,
    };
  }
  return { tone: "error", title: `${action} failed`, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Cancel, resume and rerun of one run through the API. Cancel stays on the page (`onChanged`
 * reloads it); resume and rerun open the new run as soon as it is submitted (its page follows it live).
 */
export function useRunActions(
  identity: Identity,
  botId: string,
  runId: string,
  onChanged: () => void,
): RunActionsState {
  const [busy, setBusy] = useState<RunActionsState["busy"]>(null);
  const [notice, setNotice] = useState<ActionNotice | null>(null);

  const cancel = useCallback(() => {
    setBusy("cancel");
    setNotice(null);
    identity.client.cancelRun(botId, runId).then(
      (answer) => {
        setNotice({
          tone: "info",
          title: "Cancel sent",
          message: CANCEL_OUTCOME[answer.outcome],
          ...(answer.outcome === "stopping" && { whenEnded: "The run has stopped." }),
        });
        setBusy(null);
        onChanged();
      },
      (error: unknown) => {
        setNotice(errorNotice("Cancel", error));
        setBusy(null);
      },
    );
  }, [identity, botId, runId, onChanged]);

  const start = useCallback(
    (kind: "resume" | "rerun", fromNode?: string) => {
      setBusy(kind);
      setNotice({
        tone: "info",
        title: kind === "resume" ? "Resuming" : "Rerunning",
        message: "Submitting the new run; it opens here as soon as it is queued.",
      });
      const request =
        kind === "resume" ? identity.client.resumeRun(botId, runId, fromNode) : identity.client.rerunRun(botId, runId);
      request.then(
        (attempt) => {
          rememberRunOrigin(attempt.run_id, { kind, fromRunId: runId, ...(fromNode !== undefined && { fromNode }) });
          setBusy(null);
          setNotice(null);
          // open the new run, unless the user has gone to another page meanwhile
          if (window.location.hash === routeHash({ page: "run", botId, runId })) {
            window.location.hash = routeHash({ page: "run", botId, runId: attempt.run_id });
          }
        },
        (error: unknown) => {
          setNotice(errorNotice(kind === "resume" ? "Resume" : "Rerun", error));
          setBusy(null);
        },
      );
    },
    [identity, botId, runId],
  );

  return {
    busy,
    notice,
    cancel,
    resume: useCallback((fromNode?: string) => start("resume", fromNode), [start]),
    rerun: useCallback(() => start("rerun"), [start]),
  };
}
