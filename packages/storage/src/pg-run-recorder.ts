import { randomUUID } from "node:crypto";
import type { NodeExecutionRecord, RunFinishRecord, RunRecorder, RunStartRecord } from "@portflow/engine";
import { type Kysely, sql } from "kysely";
import type { Database } from "./database-schema.ts";
import { rethrowUnavailable } from "./database-unavailable.ts";
import { DEFAULT_MAX_STORED_JSON_BYTES, toJsonb, toStoredJson } from "./stored-json.ts";

export interface PgRunRecorderOptions {
  /**
   * Identifies this server across restarts (`PORTFLOW_INSTANCE_ID`); default: a random id, so
   * only the lease tells when its runs were abandoned. Must not contain `/`.
   */
  readonly instanceId?: string;
  /** Identifies this process on the runs it owns (default: `<instanceId>/<boot id>`, a new boot id per recorder). */
  readonly ownerId?: string;
  /**
   * How long a run stays owned without a heartbeat (default 60 s). After that a sweep
   * (`RunRepository.sweepInterrupted`) may mark it `interrupted`.
   */
  readonly leaseMs?: number;
  /** Heartbeat period for runs in progress (default leaseMs / 3). */
  readonly heartbeatMs?: number;
  /**
   * Cap per stored JSON value (inputs, outputs, process data), default 64 KiB: larger values are
   * stored as a truncated preview and the row's `truncated` flag is set.
   */
  readonly maxJsonBytes?: number;
}

const leaseExpiry = (ms: number) => sql<Date>`now() + ${ms} * interval '1 millisecond'`;

/**
 * The engine's `RunRecorder` on Postgres: a run row when the run starts, one node row as each
 * node finishes (so a process killed mid-run leaves every finished node recorded), and the
 * outcome at the end. While runs are in progress a timer renews their lease; runs of a dead
 * process keep an expired lease and are swept to `interrupted`.
 *
 * @example
 * const recorder = new PgRunRecorder(database.db);
 * services.register(Services.RunRecorder, recorder);
 * // at startup: runs of this instance's earlier boots at once, anyone's expired leases too
 * await storage.runs.sweepInterrupted({ earlierBootsOf: recorder });
 */
export class PgRunRecorder implements RunRecorder {
  /** Stable across restarts when configured; runs of its earlier boots can be swept at start. */
  readonly instanceId: string;
  /** `lease_owner` of the runs this recorder writes. */
  readonly ownerId: string;
  readonly #db: Kysely<Database>;
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #maxJsonBytes: number;
  /** runId → botId of runs this recorder has in progress. */
  readonly #active = new Map<string, string | null>();
  #timer: NodeJS.Timeout | undefined;

  constructor(db: Kysely<Database>, options: PgRunRecorderOptions = {}) {
    this.#db = db;
    if (options.instanceId?.includes("/"))
      throw new RangeError(`instanceId must not contain "/": ${options.instanceId}`);
    this.instanceId = options.instanceId ?? `pid${process.pid}-${randomUUID().slice(0, 8)}`;
    this.ownerId = options.ownerId ?? `${this.instanceId}/${randomUUID().slice(0, 13)}`;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(this.#leaseMs / 3));
    this.#maxJsonBytes = options.maxJsonBytes ?? DEFAULT_MAX_STORED_JSON_BYTES;
  }

  async runStarted(run: RunStartRecord): Promise<void> {
    const inputs = toStoredJson(run.inputs, this.#maxJsonBytes);
    this.#active.set(run.runId, run.botId ?? null);
    this.#startHeartbeat();
    try {
      await this.#db
        .insertInto("workflow_execution_runs")
        .values({
          id: run.runId,
          bot_id: run.botId ?? null,
          workflow_version_id: run.workflowVersionId ?? null,
          status: "running",
          trigger: run.trigger ?? "api",
          inputs: inputs.text,
          session_id: run.sessionId ?? null,
          truncated: inputs.truncated,
          lease_owner: this.ownerId,
          lease_expires_at: leaseExpiry(this.#leaseMs),
          started_at: run.startedAt,
        })
        // A submitted run's row exists (`queued`); a resumed run's too: it continues under this owner.
        .onConflict((oc) =>
          oc.column("id").doUpdateSet({
            status: "running",
            lease_owner: this.ownerId,
            lease_expires_at: leaseExpiry(this.#leaseMs),
            error: null,
            finished_at: null,
            started_at: sql<Date>`CASE WHEN workflow_execution_runs.status = 'queued' THEN excluded.started_at ELSE workflow_execution_runs.started_at END`,
          }),
        )
        .execute();
    } catch (error) {
      this.#forget(run.runId);
      rethrowUnavailable(error);
    }
  }

  async nodeFinished(node: NodeExecutionRecord): Promise<void> {
    try {
      const inputs = toStoredJson(node.inputs, this.#maxJsonBytes);
      const outputs = toStoredJson(node.outputs, this.#maxJsonBytes);
      const processData = toStoredJson(node.processData, this.#maxJsonBytes);
      const truncated = inputs.truncated || outputs.truncated || processData.truncated;
      const botId = this.#active.has(node.runId)
        ? (this.#active.get(node.runId) ?? null)
        : sql<string | null>`(SELECT bot_id FROM workflow_execution_runs WHERE id = ${node.runId})`;
      await this.#db
        .insertInto("workflow_node_executions")
        .values({
          run_id: node.runId,
          bot_id: botId,
          node_id: node.nodeId,
          node_type: node.nodeType,
          step_index: node.stepIndex,
          status: node.status,
          inputs: inputs.text,
          outputs: outputs.text,
          process_data: processData.text,
          error: node.error ? toJsonb(node.error) : null,
          attempts: node.attempts,
          input_tokens: node.tokens.input,
          output_tokens: node.tokens.output,
          elapsed_ms: Math.round(node.elapsedMs * 1000) / 1000,
          truncated,
          started_at: node.startedAt,
          finished_at: node.finishedAt,
          parent_node_id: node.parentNodeId ?? null,
          iteration_index: node.iterationIndex ?? null,
          branch: node.branch ?? null,
          handled_by: node.handledBy ?? null,
        })
        .execute();
      if (truncated) {
        await this.#db
          .updateTable("workflow_execution_runs")
          .set({ truncated: true })
          .where("id", "=", node.runId)
          .execute();
      }
    } catch (error) {
      rethrowUnavailable(error);
    }
  }

  async runFinished(run: RunFinishRecord): Promise<void> {
    try {
      this.#forget(run.runId);
      const outputs = toStoredJson(run.outputs, this.#maxJsonBytes);
      // By id whatever the status: a run swept by mistake (a long pause) still gets its real outcome.
      await this.#db
        .updateTable("workflow_execution_runs")
        .set((eb) => ({
          status: run.status,
          outputs: outputs.text,
          error: run.error ? toJsonb(run.error) : null,
          total_steps: run.totalSteps,
          input_tokens: run.tokens.input,
          output_tokens: run.tokens.output,
          elapsed_ms: Math.round(run.elapsedMs * 1000) / 1000,
          truncated: outputs.truncated ? true : eb.ref("truncated"),
          finished_at: run.finishedAt,
          lease_owner: null,
          lease_expires_at: null,
        }))
        .where("id", "=", run.runId)
        .execute();
    } catch (error) {
      rethrowUnavailable(error);
    }
  }

  /** Renews the lease of every run in progress now (the timer does this on its own). */
  async heartbeat(): Promise<void> {
    const ids = [...this.#active.keys()];
    if (ids.length === 0) return;
    await this.#db
      .updateTable("workflow_execution_runs")
      .set({ lease_expires_at: leaseExpiry(this.#leaseMs) })
      .where("id", "in", ids)
      .where("status", "=", "running")
      .execute();
  }

  /** Stops the heartbeat timer. Runs still in progress will be swept once their lease expires. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.heartbeat().catch(() => {
        // A missed heartbeat is retried on the next tick; the lease covers several.
      });
    }, this.#heartbeatMs);
    this.#timer.unref();
  }

  #forget(runId: string): void {
    this.#active.delete(runId);
    if (this.#active.size === 0) this.close();
  }
}
