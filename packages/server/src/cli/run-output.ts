/**
 * How `portflow run` shows a run, shared by the commands that start one (`run`, `runs resume`,
 * `runs rerun`): the answer streamed to stdout, its sources and a per-node timeline; or, with
 * `--json`, one JSON object. A failed or cancelled run ends the command with exit code 1.
 * @module
 */
import type { RunHandle, RunResult } from "@portflow/engine";
import { CliError } from "./cli-error.ts";
import type { CliSession } from "./cli-session.ts";
import { formatTokens } from "./format-tokens.ts";
import { INTERRUPTED_EXIT_CODE } from "./interrupt-signal.ts";
import { nodeExecutionJson } from "./node-execution-json.ts";
import { nodeTimeline } from "./node-timeline.ts";

/** What the output names besides the run itself. */
export interface RunOutputOptions {
  readonly botId: string;
  /** The workflow, for a person: `V2 version 3`. */
  readonly label: string;
  readonly json: boolean;
  /** Stream only answer nodes' chunks (the workflow has answer nodes). */
  readonly answersOnly: boolean;
  /** More keys for the JSON object (`resumedFrom`). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

interface Source {
  readonly label: string;
  readonly score: number | undefined;
  readonly excerpt: string;
}

function sourcesOf(outputs: Readonly<Record<string, unknown>>): Source[] {
  const list = Array.isArray(outputs.sources) ? outputs.sources : [];
  return list
    .filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null)
    .map((s) => {
      const meta = (typeof s.metadata === "object" && s.metadata !== null ? s.metadata : {}) as Record<string, unknown>;
      const name = typeof meta.filename === "string" ? meta.filename : String(s.document_id ?? "?");
      const where =
        typeof meta.page === "number"
          ? ` p.${meta.page}`
          : typeof meta.heading === "string" && meta.heading !== ""
            ? ` § ${meta.heading}`
            : "";
      const content = typeof s.content === "string" ? s.content.replace(/\s+/g, " ").trim() : "";
      return {
        label: `${name}${where}`,
        score: typeof s.score === "number" ? s.score : undefined,
        excerpt: content.length > 90 ? `${content.slice(0, 89)}…` : content,
      };
    });
}

function answerOf(outputs: Readonly<Record<string, unknown>>): string {
  const { answer, text } = outputs;
  return typeof answer === "string" ? answer : typeof text === "string" ? text : "";
}

/** Follows the run to its end, printing it as `portflow run` does; resolves with its result. */
export async function printRun(session: CliSession, handle: RunHandle, options: RunOutputOptions): Promise<RunResult> {
  const { botId, label, json } = options;
  let streamed = "";
  if (!json) {
    session.err(`bot ${botId} · ${label} · run ${handle.runId}`);
    handle.on("node.chunk", (event) => {
      if (options.answersOnly && event.answer !== true) return;
      streamed += event.chunk;
      session.io.stdout.write(event.chunk);
    });
  }
  const result = await handle.result;
  const answer = answerOf(result.outputs);
  const sources = sourcesOf(result.outputs);
  if (json) {
    session.json({
      runId: result.runId,
      botId,
      workflow: label,
      status: result.status,
      answer,
      sources: result.outputs.sources ?? [],
      error: result.error ?? null,
      totals: result.totals,
      nodes: result.nodes.map(nodeExecutionJson),
      ...options.extra,
    });
    return result;
  }
  if (streamed === "" && answer !== "") session.io.stdout.write(answer);
  if (streamed !== "" || answer !== "") session.out("");
  session.out("");
  if (sources.length > 0) {
    session.out("Sources:");
    for (const [i, s] of sources.entries()) {
      const score = s.score !== undefined ? ` (score ${s.score.toFixed(2)})` : "";
      session.out(`  [${i + 1}] ${s.label}${score}: ${s.excerpt}`);
    }
    session.out("");
  }
  const tokens = formatTokens(result.totals.tokens);
  session.out(
    `Timeline: run ${result.runId} ${result.status} in ${result.totals.elapsedMs.toFixed(0)} ms` +
      `, ${result.totals.steps} steps${tokens !== undefined ? `, ${tokens} tokens` : ""}`,
  );
  session.out(nodeTimeline(result));
  return result;
}

/** Ends the command for a failed or cancelled run: exit code 1 (130 when Ctrl-C stopped it). */
export function throwIfRunFailed(result: RunResult, signal: AbortSignal): void {
  if (result.status !== "failed" && result.status !== "cancelled") return;
  const where = result.error?.nodeId !== undefined ? ` at node ${result.error.nodeId}` : "";
  throw new CliError(
    `run ${result.runId} ${result.status}${where}: ${result.error?.message ?? "no detail"}`,
    signal.aborted ? INTERRUPTED_EXIT_CODE : 1,
  );
}
