/** The shapes of the HTTP API's JSON answers the console reads (see `/openapi.json`). */

export interface Bot {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly status: string;
  readonly use_workflow_v2: boolean;
  readonly published_version_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface StoredError {
  readonly message: string;
  readonly code?: string;
  readonly node_id?: string;
}

export interface Tokens {
  readonly input: number;
  readonly output: number;
}

/** `queued`: submitted, not started yet (servers that queue runs). */
export type RunStatus =
  | "queued"
  | "running"
  | "succeeded"
  | "partial-succeeded"
  | "failed"
  | "cancelled"
  | "interrupted";

/** A run that has not ended yet: live views keep refreshing it. */
export function isRunInProgress(status: string): boolean {
  return status === "running" || status === "queued";
}

export interface Run {
  readonly id: string;
  readonly bot_id: string | null;
  readonly workflow_version_id: string | null;
  readonly status: RunStatus;
  readonly trigger: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly error: StoredError | null;
  readonly total_steps: number;
  readonly tokens: Tokens;
  readonly elapsed_ms: number | null;
  readonly session_id: string | null;
  /** The run this one resumed; null for a fresh run or a rerun. */
  readonly resumed_from: string | null;
  readonly truncated: boolean;
  readonly started_at: string;
  readonly finished_at: string | null;
}

/** How a node's failure was handled so the run could go on (null: it did not fail, or failed the run). */
export type HandledBy = "fail-branch" | "default-value";

/**
 * One node execution: the same shape in the run detail, the debug runs and the run's event
 * stream (`node_execution` of `node.finished`, `node.failed`, `node.skipped`).
 */
export interface NodeExecution {
  /** null in the event stream (the record's id is not known yet) */
  readonly id: string | null;
  readonly node_id: string;
  readonly node_type: string;
  readonly step_index: number;
  readonly status: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly process_data: unknown;
  readonly error: StoredError | null;
  readonly attempts: number;
  readonly tokens: Tokens;
  readonly elapsed_ms: number;
  readonly truncated: boolean;
  readonly started_at: string;
  readonly finished_at: string;
  readonly parent_node_id: string | null;
  readonly iteration_index: number | null;
  /** the branch port it took: an if-else case id or `false`, `fail` for a fail branch */
  readonly branch: string | null;
  readonly handled_by: HandledBy | null;
}

export interface RunDetail extends Run {
  readonly node_executions: NodeExecution[];
}

export interface RunPage {
  readonly items: Run[];
  readonly next_cursor: string | null;
}

export interface Problem {
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export interface WorkflowVersion {
  readonly id: string;
  readonly bot_id: string;
  readonly status: "draft" | "published" | "archived";
  readonly version_number: number | null;
  readonly schema_version: number;
  readonly graph: unknown;
  readonly checksum: string;
  readonly notes: string;
  readonly problems: Problem[];
  readonly valid: boolean;
  readonly revision: number;
  readonly current: boolean;
  readonly created_at: string;
  readonly updated_at: string;
  readonly published_at: string | null;
}

export interface StoredDocument {
  readonly id: string;
  readonly filename: string;
  readonly mime_type?: string;
  readonly bytes?: number;
  readonly status?: string;
  readonly chunk_count?: number;
  readonly created_at?: string;
}

/** A window of `GET /bots/{id}/statistics`. */
export type StatisticsWindow = "24h" | "7d" | "30d" | "90d";

export interface StatisticsBucket {
  /** ISO 8601, the bucket's start (UTC). */
  readonly start: string;
  readonly total: number;
  readonly by_status: Readonly<Record<string, number>>;
  readonly tokens: Tokens;
}

export interface NodeTypeLatency {
  readonly node_type: string;
  readonly executions: number;
  readonly failures: number;
  readonly p50_ms: number;
  readonly p95_ms: number;
}

export interface BotStatistics {
  readonly window: StatisticsWindow;
  readonly bucket: "hour" | "day";
  readonly from: string;
  readonly to: string;
  readonly total_runs: number;
  readonly finished_runs: number;
  readonly failed_runs: number;
  readonly failure_rate: number | null;
  readonly tokens: Tokens;
  readonly buckets: readonly StatisticsBucket[];
  readonly node_types: readonly NodeTypeLatency[];
}

/**
 * The answer of `POST …/{run_id}/resume` and `…/rerun` with `Prefer: respond-async` (202, the run
 * submitted); without it (200) the finished run, which carries the same two fields.
 */
export interface AcceptedRunAttempt {
  readonly run_id: string;
  /** the run it continues (null for a rerun) */
  readonly resumed_from: string | null;
}

/** The answer of `POST …/{run_id}/cancel`. */
export interface RunCancel {
  readonly run_id: string;
  /** cancelled: it was queued and never ran; stopping: it is being aborted; finished: it had ended */
  readonly outcome: "cancelled" | "stopping" | "finished";
}
