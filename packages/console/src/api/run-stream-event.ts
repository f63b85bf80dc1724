/** A node's record as `GET …/workflow-executions/{run_id}/events` sends it (the engine's record, times in ms). */
export interface StreamedNodeRecord {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly stepIndex: number;
  readonly status: string;
  readonly inputs?: unknown;
  readonly outputs?: unknown;
  readonly processData?: unknown;
  readonly error?: { readonly message: string; readonly code?: string };
  readonly attempts: number;
  readonly tokens?: { readonly input: number; readonly output: number };
  readonly elapsedMs: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly parentNodeId?: string;
  readonly iterationIndex?: number;
}

interface Scoped {
  readonly nodeId: string;
  readonly parentNodeId?: string;
  readonly iterationIndex?: number;
}

/** The events of a run's event stream the console follows (`node.chunk` and unknown types are left out). */
export type RunStreamEvent =
  | { readonly type: "run.started"; readonly startedAt: number }
  | (Scoped & { readonly type: "node.started"; readonly nodeType: string; readonly attempt: number })
  | (Scoped & { readonly type: "node.retrying"; readonly attempt: number; readonly error: string })
  | { readonly type: "node.finished" | "node.failed" | "node.skipped"; readonly record: StreamedNodeRecord }
  | { readonly type: "run.finished"; readonly status: string; readonly finishedAt: number | null };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

function scopeOf(data: Record<string, unknown>): Scoped | undefined {
  if (!isString(data.nodeId)) return undefined;
  return {
    nodeId: data.nodeId,
    ...(isString(data.parentNodeId) && { parentNodeId: data.parentNodeId }),
    ...(isNumber(data.iterationIndex) && { iterationIndex: data.iterationIndex }),
  };
}

function recordOf(value: unknown): StreamedNodeRecord | undefined {
  if (!isRecord(value)) return undefined;
  const { nodeId, nodeType, stepIndex, status, attempts, elapsedMs, startedAt, finishedAt } = value;
  if (!isString(nodeId) || !isString(nodeType) || !isString(status)) return undefined;
  if (![stepIndex, attempts, elapsedMs, startedAt, finishedAt].every(isNumber)) return undefined;
  return value as unknown as StreamedNodeRecord;
}

/**
 * Reads one event of the stream (its SSE `event:` name and JSON `data`); undefined for an event the
 * console does not use or one missing the fields it needs, so a malformed event is skipped, never a crash.
 */
export function parseRunStreamEvent(name: string, data: unknown): RunStreamEvent | undefined {
  if (!isRecord(data)) return undefined;
  switch (name) {
    case "run.started":
      return isNumber(data.startedAt) ? { type: name, startedAt: data.startedAt } : undefined;
    case "node.started": {
      const scope = scopeOf(data);
      if (scope === undefined || !isString(data.nodeType)) return undefined;
      return { ...scope, type: name, nodeType: data.nodeType, attempt: isNumber(data.attempt) ? data.attempt : 1 };
    }
    case "node.retrying": {
      const scope = scopeOf(data);
      if (scope === undefined || !isNumber(data.attempt)) return undefined;
      return { ...scope, type: name, attempt: data.attempt, error: isString(data.error) ? data.error : "" };
    }
    case "node.finished":
    case "node.failed":
    case "node.skipped": {
      const record = recordOf(data.record);
      return record === undefined ? undefined : { type: name, record };
    }
    case "run.finished": {
      // a live run sends its whole result; a run whose log expired only its stored status
      const result = isRecord(data.result) ? data.result : undefined;
      const status = result?.status ?? data.status;
      if (!isString(status)) return undefined;
      return { type: name, status, finishedAt: isNumber(result?.finishedAt) ? result.finishedAt : null };
    }
    default:
      return undefined;
  }
}
