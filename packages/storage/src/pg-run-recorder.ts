import { randomUUID } from "node:crypto";
import type {
  NodeExecutionRecord,
  RecorderWrite,
  RunFinishRecord,
  RunRecorder,
  RunStartRecord,
} from "@portflow/engine";
import { type Kysely, type QueryCreator, sql } from "kysely";
import { CompiledQueryCache } from "./compiled-query-cache.ts";
import type { Database } from "./database-schema.ts";
import { rethrowUnavailable } from "./database-unavailable.ts";
import { DEFAULT_INLINE_VALUE_BYTES, type RunValue, splitSection } from "./run-values.ts";
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
   * Cap on a run's inputs as the run row shows them, default 64 KiB: larger inputs are stored as
   * a truncated preview and the row's `truncated` flag is set (the run spec keeps them whole).
   * Node values and run outputs are never truncated: see `inlineValueBytes`.
   */
  readonly maxJsonBytes?: number;
  /**
   * A node's input, output or process-data value (per port), or a run output, whose JSON is
   * larger than this (default 512 bytes) is stored whole, once per run, in `run_values`; the row
   * references it by hash.
   */
  readonly inlineValueBytes?: number;
}

/** What the recorder keeps for a run in progress. */
interface ActiveRun {
  readonly botId: string | null;
  /** Hashes of the values this recorder has stored for the run: not sent again. */
  readonly stored: Set<string>;
}

const leaseExpiry = (ms: number) => sql<Date>`now() + ${ms} * interval '1 millisecond'`;

/** A node row's own columns, in the order {@link PgRunRecorder.writeMany} sends them. */
const NODE_COLUMNS = [
  "node_id",
  "node_type",
  "step_index",
  "status",
  "inputs",
  "outputs",
  "process_data",
  "value_refs",
  "error",
  "attempts",
  "input_tokens",
  "output_tokens",
  "elapsed_ms",
  "started_at",
  "finished_at",
  "parent_node_id",
  "iteration_index",
  "branch",
  "handled_by",
] as const;
/** A run outcome's columns, in the order they are sent. */
const OUTCOME_COLUMNS = [
  "status",
  "outputs",
  "value_refs",
  "error",
  "total_steps",
  "input_tokens",
  "output_tokens",
  "elapsed_ms",
  "finished_at",
] as const;
const VALUE_COLUMNS = ["hash", "value", "bytes"] as const;

type NodeColumns = Record<(typeof NODE_COLUMNS)[number], unknown>;
type OutcomeColumns = Record<(typeof OUTCOME_COLUMNS)[number], unknown>;

/** What a {@link PgRunRecorder.writeMany} statement's text depends on. */
interface WriteShape {
  readonly rows: number;
  readonly values: number;
  readonly finishes: boolean;
  readonly botKnown: boolean;
}

/**
 * The engine's `RunRecorder` on Postgres: a run row when the run starts, one node row as each
 * node finishes (so a process killed mid-run leaves every finished node recorded), and the
 * outcome at the end. Large values are stored whole, once per run, in `run_values`, in the same
 * statement as the row that first uses them (see `run-values.ts`). While runs are in progress a
 * timer renews their lease; runs of a dead process keep an expired lease and are swept to
 * `interrupted`.
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
  readonly #inlineValueBytes: number;
  /** Runs this recorder has in progress. */
  readonly #active = new Map<string, ActiveRun>();
  /** Runs submitted already `running` under this recorder ({@link adopt}), in adoption order: their start writes nothing. */
  readonly #adopted = new Map<string, { readonly botId: string; readonly at: number }>();
  #timer: NodeJS.Timeout | undefined;
  /** The write statements, compiled once per shape. */
  readonly #queries = new CompiledQueryCache();

  constructor(db: Kysely<Database>, options: PgRunRecorderOptions = {}) {
    this.#db = db;
    if (options.instanceId?.includes("/"))
      throw new RangeError(`instanceId must not contain "/": ${options.instanceId}`);
    this.instanceId = options.instanceId ?? `pid${process.pid}-${randomUUID().slice(0, 8)}`;
    this.ownerId = options.ownerId ?? `${this.instanceId}/${randomUUID().slice(0, 13)}`;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.max(50, Math.floor(this.#leaseMs / 3));
    this.#maxJsonBytes = options.maxJsonBytes ?? DEFAULT_MAX_STORED_JSON_BYTES;
    this.#inlineValueBytes = options.inlineValueBytes ?? DEFAULT_INLINE_VALUE_BYTES;
  }

  /**
   * The columns that make a submitted run's row `running` under this recorder, for a submitter
   * that executes the run in this process next; then {@link adopt} it. Until the run starts no
   * heartbeat renews the lease: a run that never starts is swept to `interrupted` like any other.
   */
  startedColumns(): { status: "running"; lease_owner: string; lease_expires_at: ReturnType<typeof leaseExpiry> } {
    return { status: "running", lease_owner: this.ownerId, lease_expires_at: leaseExpiry(this.#leaseMs) };
  }

  /** A run whose row was written with {@link startedColumns}: its `runStarted` has nothing left to write. */
  adopt(runId: string, botId: string): void {
    // A run whose execution failed before it started is never claimed: its entry goes once its
    // lease is long over (its row is swept to `interrupted` like any lapsed run).
    const stale = Date.now() - 2 * this.#leaseMs;
    for (const [id, { at }] of this.#adopted) {
      if (at > stale) break;
      this.#adopted.delete(id);
    }
    this.#adopted.set(runId, { botId, at: Date.now() });
  }

  /** How many adopted runs have not started yet (for tests of the bound above). */
  get adoptedPending(): number {
    return this.#adopted.size;
  }

  /**
   * Starts a submitted run that is still `queued` under this recorder, in one conditional write
   * (a queue worker's claim on a job's first delivery, instead of reading the row and then
   * writing the start): true when it was queued, and the run is then adopted (its `runStarted`
   * writes nothing); false when it was not (started already: a job delivered again; or finished:
   * cancelled while queued), and nothing changed. A cancel of a queued run and a claim are both
   * conditional on `queued`: exactly one of them wins.
   */
  async claimQueued(runId: string): Promise<boolean> {
    const row = await this.#db
      .updateTable("workflow_execution_runs")
      .set({ ...this.startedColumns(), started_at: sql<Date>`now()` })
      .where("id", "=", runId)
      .where("status", "=", "queued")
      .returning("bot_id")
      .executeTakeFirst()
      .catch(rethrowUnavailable);
    if (row === undefined) return false;
    // A bot-less row (not one the RunService submits) is started again by `runStarted`: same columns.
    if (row.bot_id !== null) this.adopt(runId, row.bot_id);
    return true;
  }

  async runStarted(run: RunStartRecord): Promise<void> {
    const adopted = this.#adopted.get(run.runId);
    if (adopted !== undefined) {
      this.#adopted.delete(run.runId);
      this.#active.set(run.runId, { botId: adopted.botId, stored: new Set() });
      this.#startHeartbeat();
      return;
    }
    const inputs = toStoredJson(run.inputs, this.#maxJsonBytes);
    this.#active.set(run.runId, { botId: run.botId ?? null, stored: new Set() });
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
    await this.writeMany([{ kind: "node", node }]);
  }

  async runFinished(run: RunFinishRecord): Promise<void> {
    await this.writeMany([{ kind: "finish", run }]);
  }

  /**
   * Node rows and the run's outcome in one statement: the outcome as the main `UPDATE`, the node
   * rows and the large values they (and the outcome) use as data-modifying CTEs before it. Built
   * and compiled once per shape (how many rows and values, whether it finishes the run).
   */
  async writeMany(writes: readonly RecorderWrite[]): Promise<void> {
    const nodes: NodeExecutionRecord[] = [];
    let finish: RunFinishRecord | undefined;
    for (const write of writes) {
      if (write.kind === "node") nodes.push(write.node);
      else finish = write.run;
    }
    const runId = finish?.runId ?? nodes[0]?.runId;
    if (runId === undefined) return;
    const active = this.#active.get(runId);
    const values = new Map<string, RunValue>();
    const rows = nodes.map((node) => this.#nodeRow(active, node, values));
    if (finish !== undefined) this.#forget(runId);
    // The end node's outputs usually: their large values are stored already.
    const outcome = finish && this.#outcomeRow(active, finish, values);
    const stored = [...values.values()];
    const shape: WriteShape = {
      rows: rows.length,
      values: stored.length,
      finishes: outcome !== undefined,
      botKnown: active !== undefined,
    };
    const args: unknown[] = [runId, active?.botId ?? null];
    for (const row of rows) for (const column of NODE_COLUMNS) args.push(row[column]);
    for (const v of stored) args.push(v.hash, v.text, v.bytes);
    if (outcome !== undefined) for (const column of OUTCOME_COLUMNS) args.push(outcome[column]);
    try {
      const key = `${shape.rows}/${shape.values}/${shape.finishes}/${shape.botKnown}`;
      await this.#db.executeQuery(this.#queries.compile(key, args, (p) => this.#writeStatement(shape, p)));
      for (const hash of values.keys()) active?.stored.add(hash);
    } catch (error) {
      rethrowUnavailable(error);
    }
  }

  /** {@link writeMany}'s statement for `shape`, its values taken from `p` in `args` order. */
  #writeStatement(shape: WriteShape, p: readonly unknown[]) {
    const runId = p[0] as string;
    // A run this recorder did not start (another process's, resumed here) names its bot itself.
    const botId = shape.botKnown
      ? (p[1] as string | null)
      : sql<string | null>`(SELECT bot_id FROM workflow_execution_runs WHERE id = ${runId})`;
    let at = 2;
    // the next columns' placeholders, typed `never` so kysely takes them for any column (the values come from #nodeRow / #outcomeRow)
    const take = <C extends string>(columns: readonly C[]) => {
      const record = Object.fromEntries(columns.map((column, i) => [column, p[at + i]])) as Record<C, never>;
      at += columns.length;
      return record;
    };
    const rows = Array.from({ length: shape.rows }, () => ({ ...take(NODE_COLUMNS), run_id: runId, bot_id: botId }));
    const values = Array.from({ length: shape.values }, () => ({ run_id: runId, ...take(VALUE_COLUMNS) }));
    const outcome = shape.finishes ? take(OUTCOME_COLUMNS) : undefined;
    const db =
      values.length === 0
        ? this.#db
        : // The CTE adds a name only this statement could select from; the row write ignores it.
          (this.#db.with("stored_values", (q) =>
            q
              .insertInto("run_values")
              .values(values)
              // a value already there (a resumed run) is kept
              .onConflict((oc) => oc.columns(["run_id", "hash"]).doNothing()),
          ) as unknown as QueryCreator<Database>);
    if (outcome === undefined) return db.insertInto("workflow_node_executions").values(rows);
    const withNodes =
      rows.length > 0
        ? (db.with("node_rows", (q) =>
            q.insertInto("workflow_node_executions").values(rows),
          ) as unknown as QueryCreator<Database>)
        : db;
    // By id whatever the status: a run swept by mistake (a long pause) still gets its real outcome.
    return withNodes
      .updateTable("workflow_execution_runs")
      .set({ ...outcome, lease_owner: null, lease_expires_at: null })
      .where("id", "=", runId);
  }

  #nodeRow(active: ActiveRun | undefined, node: NodeExecutionRecord, values: Map<string, RunValue>): NodeColumns {
    const split = this.#split(
      active,
      { inputs: node.inputs, outputs: node.outputs, process_data: node.processData },
      values,
    );
    return {
      node_id: node.nodeId,
      node_type: node.nodeType,
      step_index: node.stepIndex,
      status: node.status,
      inputs: split.inline.inputs ?? "{}",
      outputs: split.inline.outputs ?? "{}",
      process_data: split.inline.process_data ?? "{}",
      value_refs: split.refs,
      error: node.error ? toJsonb(node.error) : null,
      attempts: node.attempts,
      input_tokens: node.tokens.input,
      output_tokens: node.tokens.output,
      elapsed_ms: Math.round(node.elapsedMs * 1000) / 1000,
      started_at: node.startedAt,
      finished_at: node.finishedAt,
      parent_node_id: node.parentNodeId ?? null,
      iteration_index: node.iterationIndex ?? null,
      branch: node.branch ?? null,
      handled_by: node.handledBy ?? null,
    };
  }

  #outcomeRow(active: ActiveRun | undefined, run: RunFinishRecord, values: Map<string, RunValue>): OutcomeColumns {
    const split = this.#split(active, { outputs: run.outputs }, values);
    return {
      status: run.status,
      outputs: split.inline.outputs ?? "{}",
      value_refs: split.refs,
      error: run.error ? toJsonb(run.error) : null,
      total_steps: run.totalSteps,
      input_tokens: run.tokens.input,
      output_tokens: run.tokens.output,
      elapsed_ms: Math.round(run.elapsedMs * 1000) / 1000,
      finished_at: run.finishedAt,
    };
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

  /**
   * Splits sections for storage: inline JSON per section and the `value_refs` column; adds to
   * `values` those not yet stored for the run by this recorder (one per hash).
   */
  #split(
    active: ActiveRun | undefined,
    sections: Readonly<Record<string, unknown>>,
    values: Map<string, RunValue>,
  ): { inline: Record<string, string>; refs: string | null } {
    const inline: Record<string, string> = {};
    const refs: Record<string, Record<string, string>> = {};
    for (const [name, section] of Object.entries(sections)) {
      const split = splitSection(section, this.#inlineValueBytes);
      inline[name] = split.inline;
      if (split.refs !== undefined) refs[name] = split.refs;
      for (const value of split.values) if (!active?.stored.has(value.hash)) values.set(value.hash, value);
    }
    return { inline, refs: Object.keys(refs).length > 0 ? toJsonb(refs) : null };
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
