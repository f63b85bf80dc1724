import type { NodeExecution } from "../api/api-types.ts";
import type { RunStreamEvent, StreamedNodeRecord } from "../api/run-stream-event.ts";

/** One node execution as the event stream has shown it so far. */
export interface LiveNode {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly parentNodeId: string | null;
  readonly iterationIndex: number | null;
  /** `running` and `retrying` until its record arrives, then the record's status. */
  readonly status: string;
  readonly attempts: number;
  /** ms (server clock): the record's, or for a node still running the latest time known when it started */
  readonly startedAt: number;
  readonly record: StreamedNodeRecord | null;
  /** the order the stream first showed it (a tie-breaker after the start time) */
  readonly seq: number;
}

/** A run as its event stream has shown it: the run's status and one entry per node execution. */
export interface LiveRunState {
  /** `queued` until `run.started`; `running`; then the status `run.finished` gave. */
  readonly status: string;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  /** by `executionKey` */
  readonly nodes: ReadonlyMap<string, LiveNode>;
  /** the latest server time an event has told of (ms): where a node that starts now is put */
  readonly latestMs: number;
}

/** Before the first event. */
export const EMPTY_LIVE_RUN: LiveRunState = Object.freeze({
  status: "queued",
  startedAt: null,
  finishedAt: null,
  nodes: new Map(),
  latestMs: 0,
});

/** A node execution's identity across its events and its recorded row: node, container and round. */
export function executionKey(nodeId: string, parentNodeId: string | null, iterationIndex: number | null): string {
  return `${nodeId}\u0000${parentNodeId ?? ""}\u0000${iterationIndex ?? ""}`;
}

/** Whether a run status is one a run ends with. */
export function isFinalStatus(status: string): boolean {
  return status !== "queued" && status !== "running";
}

/**
 * The state after one more event (a pure reducer: the state given is never changed). A node
 * turns `running` on `node.started` (again on each attempt, keeping its first start), `retrying`
 * on `node.retrying`, and takes its record's status and times on finished/failed/skipped.
 */
export function applyRunEvent(state: LiveRunState, event: RunStreamEvent): LiveRunState {
  switch (event.type) {
    case "run.started":
      return {
        ...state,
        status: isFinalStatus(state.status) ? state.status : "running",
        startedAt: event.startedAt,
        latestMs: Math.max(state.latestMs, event.startedAt),
      };
    case "node.started":
    case "node.retrying": {
      const parent = event.parentNodeId ?? null;
      const round = event.iterationIndex ?? null;
      const key = executionKey(event.nodeId, parent, round);
      const known = state.nodes.get(key);
      const node: LiveNode = {
        nodeId: event.nodeId,
        nodeType: event.type === "node.started" ? event.nodeType : (known?.nodeType ?? ""),
        parentNodeId: parent,
        iterationIndex: round,
        status: event.type === "node.started" ? "running" : "retrying",
        attempts: event.attempt,
        startedAt: known?.startedAt ?? state.latestMs,
        record: null,
        seq: known?.seq ?? state.nodes.size,
      };
      return {
        ...state,
        status: isFinalStatus(state.status) ? state.status : "running",
        nodes: withNode(state, key, node),
      };
    }
    case "node.finished":
    case "node.failed":
    case "node.skipped": {
      const r = event.record;
      const key = executionKey(r.nodeId, r.parentNodeId ?? null, r.iterationIndex ?? null);
      const node: LiveNode = {
        nodeId: r.nodeId,
        nodeType: r.nodeType,
        parentNodeId: r.parentNodeId ?? null,
        iterationIndex: r.iterationIndex ?? null,
        status: r.status,
        attempts: r.attempts,
        startedAt: r.startedAt,
        record: r,
        seq: state.nodes.get(key)?.seq ?? state.nodes.size,
      };
      return { ...state, nodes: withNode(state, key, node), latestMs: Math.max(state.latestMs, r.finishedAt) };
    }
    case "run.finished":
      return {
        ...state,
        status: event.status,
        finishedAt: event.finishedAt,
        latestMs: Math.max(state.latestMs, event.finishedAt ?? 0),
      };
  }
}

function withNode(state: LiveRunState, key: string, node: LiveNode): Map<string, LiveNode> {
  const nodes = new Map(state.nodes);
  nodes.set(key, node);
  return nodes;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The live nodes as node executions (the shape the timeline and graph draw). A node still running
 * lasts until `nowMs` (never less than zero); its step index follows every recorded one.
 */
export function liveExecutions(state: LiveRunState, nowMs: number): NodeExecution[] {
  const nodes = [...state.nodes.values()];
  const lastStep = Math.max(0, ...nodes.map((n) => n.record?.stepIndex ?? 0));
  return nodes.map((n): NodeExecution => {
    const r = n.record;
    const id = `live:${executionKey(n.nodeId, n.parentNodeId, n.iterationIndex)}`;
    const finishedAt = r?.finishedAt ?? Math.max(n.startedAt, nowMs);
    return {
      id,
      node_id: n.nodeId,
      node_type: n.nodeType,
      step_index: r?.stepIndex ?? lastStep + 1 + n.seq,
      status: n.status,
      inputs: r?.inputs ?? null,
      outputs: r?.outputs ?? null,
      process_data: r?.processData ?? null,
      error:
        r?.error === undefined
          ? null
          : { message: r.error.message, ...(r.error.code !== undefined && { code: r.error.code }) },
      attempts: n.attempts,
      tokens: r?.tokens ?? { input: 0, output: 0 },
      elapsed_ms: r?.elapsedMs ?? finishedAt - n.startedAt,
      truncated: false,
      started_at: iso(n.startedAt),
      finished_at: iso(finishedAt),
      parent_node_id: n.parentNodeId,
      iteration_index: n.iterationIndex,
    };
  });
}
