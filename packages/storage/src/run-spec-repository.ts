import type { CallOptions } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import { CompiledQueryCache } from "./compiled-query-cache.ts";
import type { Database } from "./database-schema.ts";
import { rethrowUnavailable } from "./database-unavailable.ts";
import type { PgRunRecorder } from "./pg-run-recorder.ts";
import { type NodeExecution, type StoredRunStatus, toHandledBy } from "./run-repository.ts";
import { joinSection, loadRunValues, referencedHashes, toValueRefs } from "./run-values.ts";
import { fromStoredJson, toJsonb, toStoredJson } from "./stored-json.ts";

/** A run as submitted: written `queued`, with the spec that says everything needed to execute it. */
export interface SubmittedRun {
  readonly id: string;
  readonly botId: string;
  readonly workflowVersionId?: string;
  readonly trigger: string;
  readonly sessionId?: string;
  /** The run's inputs as shown in its history. */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Serialisable; the server validates it when it loads it back. */
  readonly spec: unknown;
  /** The run this one resumes (a new attempt of a failed, interrupted or cancelled run). */
  readonly resumedFrom?: string;
}

/**
 * A node execution of a run, as much as a resume needs of it (the fields of `NodeExecution`).
 * `truncated`: the outputs were stored as a truncated preview (before migration 0011) and cannot
 * be restored.
 */
export type RecordedNode = Pick<
  NodeExecution,
  "nodeId" | "status" | "stepIndex" | "branch" | "handledBy" | "truncated" | "parentNodeId"
> & { readonly outputs: Readonly<Record<string, unknown>> };

/** A submitted run loaded back by id (a worker has only the id). */
export interface StoredRunSpec {
  readonly id: string;
  readonly botId: string | null;
  readonly status: StoredRunStatus;
  readonly spec: unknown;
  readonly resumedFrom: string | null;
  readonly queuedAt: Date | null;
}

/** Options of {@link RunSpecRepository.submit}. */
export interface SubmitOptions extends CallOptions {
  /**
   * The run executes in this process right away (inline execution): the row is written
   * `running` under this storage's recorder, and the engine's run start then writes nothing —
   * one statement fewer per run. Default: `queued`, for whoever picks it up.
   */
  readonly startHere?: boolean;
}

/** Runs from submission to their first engine write: the queued row, its spec, and what a resume reads. */
export interface RunSpecRepository {
  /** Writes the run row as `queued` (or `running`, see `startHere`) with its spec, before anything executes. */
  submit(run: SubmittedRun, options?: SubmitOptions): Promise<void>;
  get(runId: string, options?: CallOptions): Promise<StoredRunSpec | undefined>;
  /** The run's recorded node executions, in step order. */
  recordedNodes(runId: string, options?: CallOptions): Promise<RecordedNode[]>;
  /**
   * Ends a run that never reached the engine (cancelled while queued, or a spec that can no longer
   * run) when it is still `queued`. Returns whether it did.
   */
  finishQueued(
    runId: string,
    outcome: { readonly status: "cancelled" | "failed"; readonly error: { message: string; code: string } },
  ): Promise<boolean>;
}

export class KyselyRunSpecRepository implements RunSpecRepository {
  readonly #queries = new CompiledQueryCache();

  constructor(
    private readonly db: Kysely<Database>,
    /** The recorder runs submitted with `startHere` are started under. */
    private readonly recorder: PgRunRecorder,
  ) {}

  async submit(run: SubmittedRun, options?: SubmitOptions): Promise<void> {
    options?.signal?.throwIfAborted();
    const inputs = toStoredJson(run.inputs);
    const startHere = options?.startHere === true;
    try {
      const args = [
        run.id,
        run.botId,
        run.workflowVersionId ?? null,
        run.trigger,
        inputs.text,
        inputs.truncated,
        run.sessionId ?? null,
        toJsonb(run.spec),
        run.resumedFrom ?? null,
      ];
      // every run starts here: built and compiled once per shape
      const submitting = this.#queries.compile(startHere ? "submit-started" : "submit", args, (p) =>
        this.db.insertInto("workflow_execution_runs").values({
          id: p[0] as string,
          bot_id: p[1] as string,
          workflow_version_id: p[2] as string | null,
          status: "queued",
          ...(startHere && this.recorder.startedColumns()),
          trigger: p[3] as string,
          inputs: p[4] as string,
          truncated: p[5] as boolean,
          session_id: p[6] as string | null,
          spec: p[7] as string,
          resumed_from: p[8] as string | null,
          queued_at: sql<Date>`now()`,
          started_at: sql<Date>`now()`,
        }),
      );
      await this.db.executeQuery(submitting);
    } catch (error) {
      rethrowUnavailable(error);
    }
    if (startHere) this.recorder.adopt(run.id, run.botId);
  }

  async get(runId: string, options?: CallOptions): Promise<StoredRunSpec | undefined> {
    options?.signal?.throwIfAborted();
    const row = await this.db
      .selectFrom("workflow_execution_runs")
      .select(["id", "bot_id", "status", "spec", "resumed_from", "queued_at"])
      .where("id", "=", runId)
      .executeTakeFirst()
      .catch(rethrowUnavailable);
    if (row === undefined) return undefined;
    return {
      id: row.id,
      botId: row.bot_id,
      status: row.status as StoredRunStatus,
      spec: fromStoredJson(row.spec ?? null),
      resumedFrom: row.resumed_from,
      queuedAt: row.queued_at,
    };
  }

  async recordedNodes(runId: string, options?: CallOptions): Promise<RecordedNode[]> {
    options?.signal?.throwIfAborted();
    const rows = await this.db
      .selectFrom("workflow_node_executions")
      .select([
        "node_id",
        "status",
        "step_index",
        "outputs",
        "value_refs",
        "branch",
        "handled_by",
        "truncated",
        "parent_node_id",
      ])
      .where("run_id", "=", runId)
      .orderBy("step_index")
      .execute()
      .catch(rethrowUnavailable);
    // Only the outputs' values are restored: inputs and process data are not loaded.
    const outputRefs = rows.map((row) => toValueRefs(row.value_refs)?.outputs);
    const hashes = referencedHashes(outputRefs.map((outputs) => (outputs === undefined ? undefined : { outputs })));
    const values = await loadRunValues(this.db, [runId], hashes).catch(rethrowUnavailable);
    return rows.map((row, i) => {
      const outputs = joinSection(fromStoredJson(row.outputs), outputRefs[i], values);
      return {
        nodeId: row.node_id,
        status: row.status as NodeExecution["status"],
        stepIndex: row.step_index,
        outputs: (outputs.value ?? {}) as Record<string, unknown>,
        branch: row.branch,
        handledBy: toHandledBy(row.handled_by),
        truncated: row.truncated || outputs.missing,
        parentNodeId: row.parent_node_id,
      };
    });
  }

  async finishQueued(
    runId: string,
    outcome: { readonly status: "cancelled" | "failed"; readonly error: { message: string; code: string } },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("workflow_execution_runs")
      .set({
        status: outcome.status,
        error: toJsonb(outcome.error),
        finished_at: sql<Date>`now()`,
        elapsed_ms: 0,
        lease_owner: null,
        lease_expires_at: null,
      })
      .where("id", "=", runId)
      .where("status", "=", "queued")
      .executeTakeFirst()
      .catch(rethrowUnavailable);
    return Number(result.numUpdatedRows) > 0;
  }
}
