import type { HandledBy, NodeExecution } from "./api-types.ts";

interface Scoped {
  readonly nodeId: string;
  readonly parentNodeId?: string;
  readonly iterationIndex?: number;
}

/**
 * The events of `GET …/workflow-executions/{run_id}/events` the console follows (`node.chunk` and
 * unknown types are left out), times in ms; a finished node carries its `NodeExecution` as sent.
 */
export type RunStreamEvent =
  | { readonly type: "run.started"; readonly startedAt: number }
  | (Scoped & { readonly type: "node.started"; readonly nodeType: string; readonly attempt: number })
  | (Scoped & { readonly type: "node.retrying"; readonly attempt: number; readonly error: string })
  | { readonly type: "node.finished" | "node.failed" | "node.skipped"; readonly execution: NodeExecution }
  | { readonly type: "run.finished"; readonly status: string; readonly finishedAt: number | null };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isTime = (v: unknown): v is string => isString(v) && Number.isFinite(Date.parse(v));
const HANDLED: ReadonlySet<unknown> = new Set<HandledBy>(["fail-branch", "default-value"]);

function scopeOf(data: Record<string, unknown>): Scoped | undefined {
  if (!isString(data.node_id)) return undefined;
  return {
    nodeId: data.node_id,
    ...(isString(data.parent_node_id) && { parentNodeId: data.parent_node_id }),
    ...(isNumber(data.iteration_index) && { iterationIndex: data.iteration_index }),
  };
}

/** The fields the timeline, graph and inspector rely on, checked; the rest is shown as sent. */
function executionOf(value: unknown): NodeExecution | undefined {
  if (!isRecord(value)) return undefined;
  const { node_id, node_type, status, step_index, attempts, elapsed_ms, started_at, finished_at } = value;
  if (![node_id, node_type, status].every(isString)) return undefined;
  if (![step_index, attempts, elapsed_ms].every(isNumber) || !isTime(started_at) || !isTime(finished_at)) {
    return undefined;
  }
  const tokens = isRecord(value.tokens) ? value.tokens : {};
  return {
    ...(value as unknown as NodeExecution),
    id: isString(value.id) ? value.id : null,
    error:
      isRecord(value.error) && isString(value.error.message)
        ? (value.error as unknown as NodeExecution["error"])
        : null,
    tokens: { input: isNumber(tokens.input) ? tokens.input : 0, output: isNumber(tokens.output) ? tokens.output : 0 },
    truncated: value.truncated === true,
    parent_node_id: isString(value.parent_node_id) ? value.parent_node_id : null,
    iteration_index: isNumber(value.iteration_index) ? value.iteration_index : null,
    branch: isString(value.branch) ? value.branch : null,
    handled_by: HANDLED.has(value.handled_by) ? (value.handled_by as HandledBy) : null,
  };
}

/**
 * Reads one event of the stream (its SSE `event:` name and JSON `data`); undefined for an event the
 * console does not use or one missing the fields it needs, so a malformed event is skipped, never a crash.
 */
export function parseRunStreamEvent(name: string, data: unknown): RunStreamEvent | undefined {
  if (!isRecord(data)) return undefined;
  switch (name) {
    case "run.started":
      return isTime(data.started_at) ? { type: name, startedAt: Date.parse(data.started_at) } : undefined;
    case "node.started": {
      const scope = scopeOf(data);
      if (scope === undefined || !isString(data.node_type)) return undefined;
      return { ...scope, type: name, nodeType: data.node_type, attempt: isNumber(data.attempt) ? data.attempt : 1 };
    }
    case "node.retrying": {
      const scope = scopeOf(data);
      if (scope === undefined || !isNumber(data.attempt)) return undefined;
      return { ...scope, type: name, attempt: data.attempt, error: isString(data.error) ? data.error : "" };
    }
    case "node.finished":
    case "node.failed":
    case "node.skipped": {
      const execution = executionOf(data.node_execution);
      return execution === undefined ? undefined : { type: name, execution };
    }
    case "run.finished":
      if (!isString(data.status)) return undefined;
      return {
        type: name,
        status: data.status,
        finishedAt: isTime(data.finished_at) ? Date.parse(data.finished_at) : null,
      };
    default:
      return undefined;
  }
}
