import type { CallOptions, NodeExecutionRecord, NodeExecutionStatus, RunStatus, TokenUsage } from "@portflow/engine";
import { type Kysely, type Selectable, sql } from "kysely";
import type { Database, WorkflowExecutionRunsTable, WorkflowNodeExecutionsTable } from "./database-schema.ts";
import { clampLimit, decodeCursor, encodeCursor } from "./paging.ts";
import { joinSection, loadRunValues, referencedHashes, toValueRefs } from "./run-values.ts";
import { fromStoredJson } from "./stored-json.ts";

/**
 * A run's status as stored: the engine's, plus `queued` for a submitted run not started yet and
 * `interrupted` for runs whose process died.
 */
export type StoredRunStatus = RunStatus | "queued" | "interrupted";
export const RUN_STATUSES: readonly StoredRunStatus[] = Object.freeze([
  "queued",
  "running",
  "succeeded",
  "partial-succeeded",
  "failed",
  "cancelled",
  "interrupted",
]);

export interface StoredError {
  readonly message: string;
  readonly code?: string;
  readonly nodeId?: string;
}

export interface WorkflowRun {
  readonly id: string;
  readonly botId: string | null;
  readonly workflowVersionId: string | null;
  readonly status: StoredRunStatus;
  readonly trigger: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly error: StoredError | null;
  readonly totalSteps: number;
  readonly tokens: TokenUsage;
  readonly elapsedMs: number | null;
  readonly sessionId: string | null;
  /** The run this one resumed (its recorded outputs were reused); null for a fresh run or a rerun. */
  readonly resumedFrom: string | null;
  /**
   * Some stored JSON of the run holds a truncated preview: its inputs over 64 KiB, or (runs
   * recorded before migration 0011) a node value or the outputs.
   */
  readonly truncated: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date | null;
}

/**
 * The engine's `NodeExecutionRecord` as stored and read back: its row id and `truncated` added,
 * its optional fields as `null` when absent, values joined back whole from `run_values`.
 */
export interface NodeExecution {
  readonly id: string;
  readonly runId: string;
  readonly nodeId: string;
  readonly nodeType: string;
  readonly stepIndex: number;
  readonly status: NodeExecutionStatus;
  readonly inputs: unknown;
  readonly outputs: unknown;
  readonly processData: unknown;
  readonly error: StoredError | null;
  readonly attempts: number;
  readonly tokens: TokenUsage;
  readonly elapsedMs: number;
  /**
   * A value holds a truncated preview (recorded before migration 0011, which stores values whole)
   * or could not be found: the values cannot be restored whole.
   */
  readonly truncated: boolean;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Inside a container's body (iteration, loop): the container and the round, from 0. */
  readonly parentNodeId: string | null;
  readonly iterationIndex: number | null;
  /** The branch port the node took, and the error strategy that handled its failure (what a resume follows). */
  readonly branch: string | null;
  readonly handledBy: NonNullable<NodeExecutionRecord["handledBy"]> | null;
}

export interface RunWithNodes extends WorkflowRun {
  /** In step order. */
  readonly nodes: readonly NodeExecution[];
}

export interface ListRunsOptions extends CallOptions {
  readonly status?: StoredRunStatus | readonly StoredRunStatus[];
  /** Started at or after. */
  readonly from?: Date;
  /** Started before. */
  readonly to?: Date;
  readonly versionId?: string;
  readonly trigger?: string;
  readonly sessionId?: string;
  /** 1..200, default 20. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; any other text is an `InvalidCursorError`. */
  readonly cursor?: string;
}

export interface RunList {
  /** Newest first. */
  readonly items: WorkflowRun[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface SweepOptions extends CallOptions {
  /** Rows updated per statement (default 500). */
  readonly batchSize?: number;
  /**
   * Also sweep, whatever their lease, the runs of earlier boots of this instance: owned by
   * `<instanceId>/…` but not by `ownerId` (this boot). Call it once at start: a process that
   * restarted under the same instance id cannot still be running them.
   */
  readonly earlierBootsOf?: { readonly instanceId: string; readonly ownerId: string };
}

export interface RetentionOptions extends CallOptions {
  /** Runs deleted per statement, with their node executions (default 1,000). */
  readonly batchSize?: number;
  /** Stop after this many batches (default: until done). */
  readonly maxBatches?: number;
  /** Only this bot's runs (default: all bots). */
  readonly botId?: string;
}

/** Execution history queries. Everything per bot except the maintenance calls. */
export interface RunRepository {
  list(botId: string, options?: ListRunsOptions): Promise<RunList>;
  get(botId: string, runId: string, options?: CallOptions): Promise<RunWithNodes | undefined>;
  /**
   * Marks `running` runs whose lease expired (their process stopped heart-beating), and with
   * `earlierBootsOf` those of this instance's earlier boots, as `interrupted`. Safe to call from
   * several processes at once. Returns the ids swept.
   */
  sweepInterrupted(options?: SweepOptions): Promise<string[]>;
  /** Deletes finished runs started more than `days` days ago, in bounded batches. Returns the count. */
  deleteOlderThan(days: number, options?: RetentionOptions): Promise<number>;
}

const INTERRUPTED_MESSAGE = "the process running this workflow stopped before the run finished";

function toTokens(input: number, output: number): TokenUsage {
  return { input, output };
}

const NO_VALUES: ReadonlyMap<string, unknown> = new Map();

function toRun(row: Selectable<WorkflowExecutionRunsTable>, values: ReadonlyMap<string, unknown>): WorkflowRun {
  const outputs = joinSection(fromStoredJson(row.outputs ?? null), toValueRefs(row.value_refs)?.outputs, values);
  return {
    id: row.id,
    botId: row.bot_id,
    workflowVersionId: row.workflow_version_id,
    status: row.status as StoredRunStatus,
    trigger: row.trigger,
    inputs: fromStoredJson(row.inputs),
    outputs: outputs.value,
    error: fromStoredJson(row.error ?? null) as StoredError | null,
    totalSteps: row.total_steps,
    tokens: toTokens(row.input_tokens, row.output_tokens),
    elapsedMs: row.elapsed_ms,
    sessionId: row.session_id,
    resumedFrom: row.resumed_from,
    truncated: row.truncated || outputs.missing,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toNode(row: Selectable<WorkflowNodeExecutionsTable>, values: ReadonlyMap<string, unknown>): NodeExecution {
  const refs = toValueRefs(row.value_refs);
  const inputs = joinSection(fromStoredJson(row.inputs), refs?.inputs, values);
  const outputs = joinSection(fromStoredJson(row.outputs), refs?.outputs, values);
  const processData = joinSection(fromStoredJson(row.process_data), refs?.process_data, values);
  return {
    id: row.id,
    runId: row.run_id,
    nodeId: row.node_id,
    nodeType: row.node_type,
    stepIndex: row.step_index,
    status: row.status as NodeExecutionStatus,
    inputs: inputs.value,
    outputs: outputs.value,
    processData: processData.value,
    error: fromStoredJson(row.error ?? null) as StoredError | null,
    attempts: row.attempts,
    tokens: toTokens(row.input_tokens, row.output_tokens),
    elapsedMs: row.elapsed_ms,
    truncated: row.truncated || inputs.missing || outputs.missing || processData.missing,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    parentNodeId: row.parent_node_id,
    iterationIndex: row.iteration_index,
    branch: row.branch,
    handledBy: toHandledBy(row.handled_by),
  };
}

const HANDLED = new Set(["fail-branch", "default-value"]);

/** `handled_by` as stored; anything unknown reads as not handled. */
export function toHandledBy(column: string | null): NodeExecution["handledBy"] {
  return HANDLED.has(column ?? "") ? (column as NonNullable<NodeExecution["handledBy"]>) : null;
}

export class KyselyRunRepository implements RunRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(botId: string, options: ListRunsOptions = {}): Promise<RunList> {
    options.signal?.throwIfAborted();
    const limit = clampLimit(options.limit, 20, 200);
    let query = this.db
      .selectFrom("workflow_execution_runs")
      .selectAll()
      .select(sql<string>`started_at::text`.as("cursor_ts"))
      .where("bot_id", "=", botId);
    if (options.status !== undefined) {
      const statuses = typeof options.status === "string" ? [options.status] : [...options.status];
      if (statuses.length === 0) return { items: [], nextCursor: null };
      query = query.where("status", "in", statuses);
    }
    if (options.from) query = query.where("started_at", ">=", options.from);
    if (options.to) query = query.where("started_at", "<", options.to);
    if (options.versionId) query = query.where("workflow_version_id", "=", options.versionId);
    if (options.trigger) query = query.where("trigger", "=", options.trigger);
    if (options.sessionId) query = query.where("session_id", "=", options.sessionId);
    if (options.cursor) {
      const cursor = decodeCursor(options.cursor);
      query = query.where(sql<boolean>`(started_at, id) < (${cursor.ts}::timestamptz, ${cursor.id})`);
    }
    const rows = await query
      .orderBy("started_at", "desc")
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    // Only the outputs' values: a page never loads its runs' node values.
    const referencing = page.filter((row) => row.value_refs !== null);
    const values =
      referencing.length === 0
        ? NO_VALUES
        : await loadRunValues(
            this.db,
            referencing.map((row) => row.id),
            referencedHashes(referencing.map((row) => toValueRefs(row.value_refs))),
          );
    return {
      items: page.map((row) => toRun(row, values)),
      nextCursor: rows.length > limit && last ? encodeCursor({ ts: last.cursor_ts, id: last.id }) : null,
    };
  }

  async get(botId: string, runId: string, options?: CallOptions): Promise<RunWithNodes | undefined> {
    options?.signal?.throwIfAborted();
    const run = await this.db
      .selectFrom("workflow_execution_runs")
      .selectAll()
      .where("id", "=", runId)
      .where("bot_id", "=", botId)
      .executeTakeFirst();
    if (!run) return undefined;
    const [nodes, values] = await Promise.all([
      this.db
        .selectFrom("workflow_node_executions")
        .selectAll()
        .where("run_id", "=", runId)
        .orderBy("step_index")
        .orderBy("finished_at")
        .execute(),
      loadRunValues(this.db, [runId]),
    ]);
    return { ...toRun(run, values), nodes: nodes.map((node) => toNode(node, values)) };
  }

  async sweepInterrupted(options: SweepOptions = {}): Promise<string[]> {
    const batchSize = clampLimit(options.batchSize, 500, 10_000);
    const earlier = options.earlierBootsOf;
    const abandoned =
      earlier === undefined
        ? sql`lease_expires_at < now()`
        : sql`(lease_expires_at < now() OR (starts_with(lease_owner, ${`${earlier.instanceId}/`}) AND lease_owner <> ${earlier.ownerId}))`;
    const swept: string[] = [];
    for (;;) {
      options.signal?.throwIfAborted();
      // SKIP LOCKED: concurrent sweepers take disjoint rows; the row lock re-checks the status,
      // so a run that finished meanwhile is left alone.
      const { rows } = await sql<{ id: string }>`
        UPDATE workflow_execution_runs AS r
        SET status = 'interrupted',
            finished_at = now(),
            elapsed_ms = LEAST(2147483647, floor(extract(epoch FROM (now() - r.started_at)) * 1000))::int,
            total_steps = (SELECT count(*)::int FROM workflow_node_executions n WHERE n.run_id = r.id),
            error = jsonb_build_object('message', ${INTERRUPTED_MESSAGE}::text, 'code', 'interrupted'),
            lease_owner = NULL,
            lease_expires_at = NULL
        WHERE r.id IN (
          SELECT id FROM workflow_execution_runs
          WHERE status = 'running' AND ${abandoned}
          ORDER BY lease_expires_at
          LIMIT ${batchSize}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING r.id`.execute(this.db);
      swept.push(...rows.map((r) => r.id));
      if (rows.length < batchSize) return swept;
    }
  }

  async deleteOlderThan(days: number, options: RetentionOptions = {}): Promise<number> {
    if (!(days >= 0)) throw new RangeError(`days must be a non-negative number, got ${days}`);
    const batchSize = clampLimit(options.batchSize, 1_000, 50_000);
    const cutoff = new Date(Date.now() - days * 86_400_000);
    let deleted = 0;
    for (let batch = 0; options.maxBatches === undefined || batch < options.maxBatches; batch++) {
      options.signal?.throwIfAborted();
      // Oldest first through the started_at index; node executions go with their run
      // (ON DELETE CASCADE through the (run_id, step_index) index).
      let victims = this.db
        .selectFrom("workflow_execution_runs")
        .select("id")
        .where("started_at", "<", cutoff)
        .where("status", "not in", ["running", "queued"]);
      if (options.botId !== undefined) victims = victims.where("bot_id", "=", options.botId);
      const result = await this.db
        .deleteFrom("workflow_execution_runs")
        .where("id", "in", victims.orderBy("started_at").limit(batchSize))
        .executeTakeFirst();
      const n = Number(result.numDeletedRows);
      deleted += n;
      if (n < batchSize) break;
    }
    return deleted;
  }
}
