import type { NodeExecution } from "../api/api-types.ts";
import type { RunStreamEvent } from "../api/run-stream-event.ts";

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
  /** the node execution its finished/failed/skipped event carried */
  readonly record: NodeExecution | null;
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
      const r = event.execution;
      const key = executionKey(r.node_id, r.parent_node_id, r.iteration_index);
      const node: LiveNode = {
        nodeId: r.node_id,
        nodeType: r.node_type,
        parentNodeId: r.parent_node_id,
        iterationIndex: r.iteration_index,
        status: r.status,
        attempts: r.attempts,
        startedAt: Date.parse(r.started_at),
        record: r,
        seq: state.nodes.get(key)?.seq ?? state.nodes.size,
      };
      return {
        ...state,
        nodes: withNode(state, key, node),
        latestMs: Math.max(state.latestMs, Date.parse(r.finished_at)),
      };
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
 * The live nodes as node executions (the shape the timeline and graph draw): a finished one as its
 * event carried it (with a `live:` id until the record's is known), a node still running lasting
 * until `nowMs` (never less than zero), its step index after every recorded one.
 */
export function liveExecutions(state: LiveRunState, nowMs: number): NodeExecution[] {
  const nodes = [...state.nodes.values()];
  const lastStep = Math.max(0, ...nodes.map((n) => n.record?.step_index ?? 0));
  return nodes.map((n): NodeExecution => {
    const id = `live:${executionKey(n.nodeId, n.parentNodeId, n.iterationIndex)}`;
    if (n.record !== null) return { ...n.record, id: n.record.id ?? id };
    const finishedAt = Math.max(n.startedAt, nowMs);
    return {
      id,
      node_id: n.nodeId,
      node_type: n.nodeType,
      step_index: lastStep + 1 + n.seq,
      status: n.status,
      inputs: null,
      outputs: null,
      process_data: null,
      error: null,
      attempts: n.attempts,
      tokens: { input: 0, output: 0 },
      elapsed_ms: finishedAt - n.startedAt,
      truncated: false,
      started_at: iso(n.startedAt),
      finished_at: iso(finishedAt),
      parent_node_id: n.parentNodeId,
      iteration_index: n.iterationIndex,
      branch: null,
      handled_by: null,
    };
  });
}
