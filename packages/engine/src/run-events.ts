import type { NodeRunRecord, RunResult } from "./run-result.ts";

/** Typed events of a run, in order: run.started, then per node started/chunk/retrying/finished|failed|skipped, then run.finished. */
export interface RunEventMap {
  "run.started": { readonly type: "run.started"; readonly runId: string; readonly startedAt: number };
  "node.started": {
    readonly type: "node.started";
    readonly runId: string;
    readonly nodeId: string;
    readonly nodeType: string;
    readonly attempt: number;
    /** Inside a container's body: the container and round. */
    readonly parentNodeId?: string;
    readonly iterationIndex?: number;
  };
  "node.chunk": {
    readonly type: "node.chunk";
    readonly runId: string;
    readonly nodeId: string;
    readonly chunk: string;
    /** Text of an `answer` node (the answer stream, in graph order), not a node's raw output. */
    readonly answer?: true;
    readonly parentNodeId?: string;
    readonly iterationIndex?: number;
  };
  "node.retrying": {
    readonly type: "node.retrying";
    readonly runId: string;
    readonly nodeId: string;
    /** The attempt about to start. */
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: string;
    readonly parentNodeId?: string;
    readonly iterationIndex?: number;
  };
  "node.finished": {
    readonly type: "node.finished";
    readonly runId: string;
    readonly nodeId: string;
    readonly record: NodeRunRecord;
  };
  "node.failed": {
    readonly type: "node.failed";
    readonly runId: string;
    readonly nodeId: string;
    readonly record: NodeRunRecord;
  };
  "node.skipped": {
    readonly type: "node.skipped";
    readonly runId: string;
    readonly nodeId: string;
    readonly record: NodeRunRecord;
  };
  "run.finished": { readonly type: "run.finished"; readonly runId: string; readonly result: RunResult };
}

export type RunEventName = keyof RunEventMap;
export type RunEvent = RunEventMap[RunEventName];

/** Every run event name, in the order a run emits them. */
export const RUN_EVENT_NAMES: readonly RunEventName[] = Object.freeze([
  "run.started",
  "node.started",
  "node.chunk",
  "node.retrying",
  "node.finished",
  "node.failed",
  "node.skipped",
  "run.finished",
]);

/** eventemitter3's typed listener map for the run events. */
export type RunEventListeners = { [K in RunEventName]: (event: RunEventMap[K]) => void };
