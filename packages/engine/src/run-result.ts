import type { NodeExecutionStatus, RunStatus } from "./run-status.ts";
import type { TokenUsage } from "./token-usage.ts";

export type { RunStatus };

/** What the executor keeps for each node that was reached (ran, failed or was skipped). */
export interface NodeRunRecord {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly stepIndex: number;
  readonly status: NodeExecutionStatus;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly processData: Readonly<Record<string, unknown>>;
  readonly error?: { readonly message: string; readonly code?: string };
  readonly attempts: number;
  readonly tokens: TokenUsage;
  readonly elapsedMs: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  /** The error strategy that turned a failure into something the run could finish with. */
  readonly handledBy?: "fail-branch" | "default-value";
  /** The branch port the node took (if/else, a fail branch): what a resume follows again. */
  readonly branch?: string;
  /** Set for a node inside a container's body: the container (iteration, loop)… */
  readonly parentNodeId?: string;
  /** …and the round, from 0. */
  readonly iterationIndex?: number;
}

/**
 * A node a resumed run does not run again: its recorded outputs go back into the VariablePool and
 * its recorded branch is followed, as if it had just finished.
 */
export interface CompletedNode {
  readonly nodeId: string;
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly branch?: string;
  readonly handledBy?: "fail-branch" | "default-value";
}

/** Where a run starts from: the nodes that already finished (top level), and the step index to continue after. */
export interface ResumePoint {
  readonly completed: readonly CompletedNode[];
  /** The highest step index already recorded; new records continue after it (default 0). */
  readonly stepOffset?: number;
}

export interface RunTotals {
  readonly steps: number;
  readonly elapsedMs: number;
  readonly tokens: TokenUsage;
}

/** The outcome of `WorkflowExecutorV2.run()`. Node failures end here, never as a throw. */
export interface RunResult {
  readonly runId: string;
  readonly status: Exclude<RunStatus, "running">;
  /** The end node's outputs (empty when the run did not reach it). */
  readonly outputs: Readonly<Record<string, unknown>>;
  readonly error?: { readonly message: string; readonly nodeId?: string; readonly code?: string };
  /** Per-node records in the order the nodes finished. */
  readonly nodes: readonly NodeRunRecord[];
  readonly totals: RunTotals;
  readonly startedAt: number;
  readonly finishedAt: number;
  /**
   * Present when the workflow declares conversation variables: their values at the end, and the
   * ones this run wrote (to store for the session when the run succeeded).
   */
  readonly conversation?: {
    readonly values: Readonly<Record<string, unknown>>;
    readonly changed: Readonly<Record<string, unknown>>;
  };
  /** Writes the RunRecorder refused (the run itself went on); absent when all were stored. */
  readonly recordingErrors?: readonly RecordingError[];
}

/** A recorder write that failed: its message, and the error's `code` when it had one. */
export interface RecordingError {
  readonly message: string;
  readonly code?: string;
}
