import type { EventEmitter } from "eventemitter3";
import { abortableDelay, RunAbortedError } from "./abort-error.ts";
import type { NodeRunResult } from "./base-node.ts";
import type { CompiledNode, CompiledWorkflow } from "./compiled-workflow.ts";
import { type Deadline, deadlines } from "./deadline-scheduler.ts";
import { AttemptContext, type AttemptHost } from "./node-context.ts";
import { valueMatchesPortType } from "./port-definition.ts";
import { formatContext, isRetrievedDocumentArray } from "./retrieved-document.ts";
import type { RunEventListeners, RunEventMap, RunEventName } from "./run-events.ts";
import type { NodeRunRecord, RunResult } from "./run-result.ts";
import type { ServiceContainer } from "./service-container.ts";
import type { Clock, Logger, NodeExecutionStatus, RunRecorder, RunStartRecord, TokenUsage } from "./services.ts";
import type { VariablePool } from "./variable-pool.ts";

export interface RunLimits {
  readonly concurrency: number;
  readonly maxSteps: number;
  readonly timeoutMs: number;
}

export interface RunDeps {
  readonly runId: string;
  readonly compiled: CompiledWorkflow;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly pool: VariablePool;
  readonly services: ServiceContainer;
  readonly limits: RunLimits;
  readonly signal?: AbortSignal;
  readonly emitters: readonly EventEmitter<RunEventListeners>[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recorder?: RunRecorder;
  readonly record: Omit<RunStartRecord, "runId" | "inputs" | "startedAt">;
}

const PENDING = 0;
const RUNNING = 1;
const DONE = 2;
const SKIPPED = 3;

type Outcome =
  | { readonly ok: true; readonly result: NodeRunResult<Record<string, unknown>>; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/** The default clock: wall time from Date.now. */
export const SYSTEM_CLOCK: Clock = Object.freeze({ now: Date.now });

const NO_TOKENS: TokenUsage = Object.freeze({ input: 0, output: 0 });
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function errorInfo(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? { message: error.message, code } : { message: error.message };
  }
  return { message: String(error) };
}

function isThenable(value: unknown): value is PromiseLike<NodeRunResult<Record<string, unknown>>> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * One execution of a compiled workflow: schedules nodes as their incoming edges resolve, applies
 * per-node timeout/retry/error strategy, and settles into a RunResult. Internal to the executor.
 */
export class WorkflowRun implements AttemptHost {
  readonly #d: RunDeps;
  readonly #nodes: readonly CompiledNode[];
  readonly #state: Uint8Array;
  readonly #pendingEdges: Int32Array;
  readonly #takenEdges: Int32Array;
  readonly #branch: (string | undefined)[];
  readonly #failBranched: Uint8Array;
  readonly #ready: number[] = [];
  readonly #records: NodeRunRecord[] = [];
  /** Made on first use: most runs never need a run-wide signal. */
  #controller: AbortController | undefined;
  /** Attempts awaiting a promise, stopped directly on run abort. */
  readonly #waiting = new Set<(reason: unknown) => void>();
  #running = 0;
  #steps = 0;
  #handledFailures = 0;
  #tokensIn = 0;
  #tokensOut = 0;
  #stopped: { status: "failed" | "cancelled"; error: { message: string; nodeId?: string; code?: string } } | undefined;
  #recording: Promise<void> = Promise.resolve();
  /** Writes and delayed events queued on `#recording` and not yet done. */
  #inFlight = 0;
  #recordingFailed = false;
  readonly #recordingErrors: string[] = [];
  #startedAt = 0;
  #startedPerf = 0;
  #deadline: Deadline | undefined;
  #abortReason: RunAbortedError | undefined;
  #resolve!: (result: RunResult) => void;
  readonly result: Promise<RunResult>;

  constructor(deps: RunDeps) {
    this.#d = deps;
    this.#nodes = deps.compiled.nodes;
    const n = this.#nodes.length;
    this.#state = new Uint8Array(n);
    this.#pendingEdges = new Int32Array(n);
    this.#takenEdges = new Int32Array(n);
    this.#branch = new Array(n);
    this.#failBranched = new Uint8Array(n);
    for (const node of this.#nodes) this.#pendingEdges[node.index] = node.incoming.length;
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get runSignal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  start(): void {
    const d = this.#d;
    this.#startedAt = d.clock.now();
    this.#startedPerf = performance.now();
    if (d.recorder) {
      const record: RunStartRecord = {
        ...d.record,
        runId: d.runId,
        inputs: d.inputs,
        startedAt: new Date(this.#startedAt),
      };
      const recorder = d.recorder;
      this.#chainRecording(() => recorder.runStarted(record));
    }
    this.#emit("run.started", () => ({ type: "run.started", runId: d.runId, startedAt: this.#startedAt }));
    if (d.signal?.aborted) {
      this.#stop("cancelled", { message: "run was cancelled", code: "CANCELLED" });
      return;
    }
    d.signal?.addEventListener("abort", this.#onExternalAbort, { once: true });
    if (d.limits.timeoutMs > 0 && Number.isFinite(d.limits.timeoutMs)) {
      this.#deadline = deadlines.add(d.limits.timeoutMs, () =>
        this.#stop("failed", {
          message: `run exceeded its time limit of ${d.limits.timeoutMs} ms`,
          code: "RUN_TIMEOUT",
        }),
      );
    }
    // A recorded run runs no node before its run row exists: nothing happens that was not recorded.
    if (d.recorder) void this.#recording.then(() => this.#begin());
    else this.#begin();
  }

  #begin(): void {
    if (this.#stopped !== undefined) return;
    for (const node of this.#nodes) if (node.incoming.length === 0) this.#ready.push(node.index);
    this.#pump();
  }

  readonly #onExternalAbort = (): void => {
    this.#stop("cancelled", { message: "run was cancelled", code: "CANCELLED" });
  };

  /**
   * Wall-clock ms for a `performance.now()` reading: derived from the run's start when the clock
   * is the system's (one timer read per timestamp instead of two), read from an injected Clock otherwise.
   */
  #wallClock(perf: number): number {
    return this.#d.clock === SYSTEM_CLOCK ? this.#startedAt + (perf - this.#startedPerf) : this.#d.clock.now();
  }

  emitChunk(nodeId: string, chunk: string): void {
    this.#emit("node.chunk", () => ({ type: "node.chunk", runId: this.#d.runId, nodeId, chunk }));
  }

  /**
   * Delivers an event. With a recorder, an event never overtakes a write queued before it: a
   * `node.finished` reaches listeners only once that node's record is stored, `run.started` once
   * the run row exists, and events in between keep their order. Without one (or with nothing in
   * flight) delivery is immediate. After a failed write only `run.finished` is still delivered.
   */
  #emit<K extends RunEventName>(name: K, make: () => RunEventMap[K]): void {
    if (this.#inFlight === 0) {
      if (!this.#recordingFailed || name === "run.finished") this.#dispatch(name, make);
      return;
    }
    this.#inFlight++;
    this.#recording = this.#recording.then(() => {
      this.#inFlight--;
      if (this.#recordingFailed && name !== "run.finished") return;
      try {
        this.#dispatch(name, make);
      } catch (error) {
        this.#d.logger.error("run event listener threw", { runId: this.#d.runId, error: errorInfo(error).message });
      }
    });
  }

  #dispatch<K extends RunEventName>(name: K, make: () => RunEventMap[K]): void {
    let event: RunEventMap[K] | undefined;
    for (const emitter of this.#d.emitters) {
      if (emitter.listenerCount(name) === 0) continue;
      event ??= make();
      (emitter.emit as (n: K, e: RunEventMap[K]) => boolean)(name, event);
    }
  }

  /**
   * Recorder writes run in order, off the scheduling path. A failed write fails the run
   * (`RECORDING_FAILED`): a run whose record cannot be written must not go on, or be announced.
   */
  #chainRecording(write: () => Promise<void> | undefined): void {
    this.#inFlight++;
    this.#recording = this.#recording.then(write).then(
      () => {
        this.#inFlight--;
      },
      (error: unknown) => {
        this.#inFlight--;
        const message = errorInfo(error).message;
        this.#recordingErrors.push(message);
        this.#d.logger.error("run recorder failed", { runId: this.#d.runId, error: message });
        if (this.#recordingFailed) return;
        this.#recordingFailed = true;
        if (!this.#finished) {
          this.#stop("failed", { message: `the run could not be recorded: ${message}`, code: "RECORDING_FAILED" });
        }
      },
    );
  }

  #pump(): void {
    const { concurrency, maxSteps } = this.#d.limits;
    while (this.#stopped === undefined && this.#ready.length > 0 && this.#running < concurrency) {
      if (this.#steps >= maxSteps) {
        this.#stop("failed", { message: `run exceeded its step limit of ${maxSteps} nodes`, code: "STEP_LIMIT" });
        break;
      }
      const index = this.#ready.shift() as number;
      this.#steps++;
      this.#running++;
      this.#state[index] = RUNNING;
      void this.#execute(this.#nodes[index] as CompiledNode);
    }
    if (this.#running === 0 && (this.#ready.length === 0 || this.#stopped !== undefined)) this.#finish();
  }

  /** Gathers a node's inputs: wires, then mappings, then port defaults. */
  #inputsOf(node: CompiledNode): Record<string, unknown> {
    if (node.index === this.#d.compiled.start) return { ...this.#d.inputs };
    const inputs: Record<string, unknown> = {};
    const pool = this.#d.pool;
    for (const b of node.bindings) {
      let value: unknown;
      if (b.kind === "wire") value = pool.tryGet([this.#nodes[b.from]!.id, b.fromPort]);
      else if (b.kind === "selector") value = pool.tryGet(b.selector);
      else value = b.value;
      if (value !== undefined) inputs[b.port] = value;
      else if (node.nullForMissing) inputs[b.port] = null;
    }
    for (const port of node.ports.inputs) {
      const value = inputs[port.name];
      if (value === undefined && port.default !== undefined) inputs[port.name] = port.default;
      // The port compatibility rule lets `documents` feed a `string` port as citable context.
      else if (port.type === "string" && isRetrievedDocumentArray(value)) inputs[port.name] = formatContext(value);
    }
    return inputs;
  }

  /** Inputs the node declared required or typed but that arrived missing or of the wrong type. */
  #checkInputs(node: CompiledNode, inputs: Record<string, unknown>): string | undefined {
    if (node.index === this.#d.compiled.start) return undefined;
    for (const selector of node.envSelectors) {
      // The same rule as `{{env.NAME}}` in a template: a missing value is an error, never a blank.
      if (!this.#d.pool.has(selector)) return `variable "${selector.join(".")}" is not defined`;
    }
    for (const port of node.ports.inputs) {
      const value = inputs[port.name];
      if (value === undefined || value === null) {
        if (port.required)
          return `required input "${port.name}" has no value (its source produced none or was skipped)`;
      } else if (!valueMatchesPortType(value, port.type)) {
        return `input "${port.name}" must be ${port.type}, got ${Array.isArray(value) ? "array" : typeof value}`;
      }
    }
    return undefined;
  }

  async #execute(node: CompiledNode): Promise<void> {
    const startedPerf = performance.now();
    const startedAt = this.#wallClock(startedPerf);
    const inputs = this.#inputsOf(node);
    const invalid = this.#checkInputs(node, inputs);
    const outcome: Outcome = invalid
      ? { ok: false, error: Object.assign(new Error(invalid), { code: "INVALID_INPUT" }), attempts: 0 }
      : await this.#attempts(node, inputs);
    this.#running--;
    const finishedPerf = performance.now();
    this.#settle(node, inputs, outcome, startedAt, finishedPerf - startedPerf, this.#wallClock(finishedPerf));
    this.#pump();
  }

  async #attempts(node: CompiledNode, inputs: Record<string, unknown>): Promise<Outcome> {
    const { max_attempts, initial_delay_ms, backoff, max_delay_ms } = node.retry;
    for (let attempt = 1; ; attempt++) {
      this.#emit("node.started", () => ({
        type: "node.started",
        runId: this.#d.runId,
        nodeId: node.id,
        nodeType: node.type,
        attempt,
      }));
      try {
        return { ok: true, result: await this.#attempt(node, inputs, attempt), attempts: attempt };
      } catch (error) {
        if (this.#stopped !== undefined || attempt >= max_attempts) return { ok: false, error, attempts: attempt };
        const delayMs = Math.min(initial_delay_ms * backoff ** (attempt - 1), max_delay_ms);
        this.#emit("node.retrying", () => ({
          type: "node.retrying",
          runId: this.#d.runId,
          nodeId: node.id,
          attempt: attempt + 1,
          delayMs,
          error: errorInfo(error).message,
        }));
        try {
          await abortableDelay(delayMs, this.runSignal);
        } catch (reason) {
          return { ok: false, error: reason, attempts: attempt };
        }
      }
    }
  }

  /** One call of `node.run`, raced against the node timeout and run abort. */
  #attempt(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    attempt: number,
  ): NodeRunResult<Record<string, unknown>> | Promise<NodeRunResult<Record<string, unknown>>> {
    const d = this.#d;
    const ctx = new AttemptContext(d.runId, node.id, node.config, attempt, d.logger, this, d.services, d.pool);
    const returned = node.node.run(inputs, ctx);
    if (!isThenable(returned)) return returned;
    if (this.#abortReason !== undefined) return Promise.reject(this.#abortReason);
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = () => {
        settled = true;
        deadlines.remove(deadline);
        this.#waiting.delete(stop);
      };
      const stop = (reason: unknown) => {
        if (settled) return;
        finish();
        ctx.abort(reason);
        reject(reason);
      };
      const deadline =
        node.timeoutMs > 0
          ? deadlines.add(node.timeoutMs, () =>
              stop(new RunAbortedError(`node "${node.id}" timed out after ${node.timeoutMs} ms`, "NODE_TIMEOUT")),
            )
          : undefined;
      this.#waiting.add(stop);
      returned.then(
        (value) => {
          if (settled) return;
          finish();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          finish();
          reject(error);
        },
      );
    });
  }

  #settle(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    outcome: Outcome,
    startedAt: number,
    elapsedMs: number,
    finishedAt: number,
  ): void {
    let status: NodeExecutionStatus;
    let outputs: Readonly<Record<string, unknown>> = EMPTY;
    let branch: string | undefined;
    let error: { message: string; code?: string } | undefined;
    let handledBy: NodeRunRecord["handledBy"];
    let processData: Readonly<Record<string, unknown>> = EMPTY;
    let tokens = NO_TOKENS;
    if (outcome.ok) {
      status = "succeeded";
      outputs = outcome.result.outputs ?? EMPTY;
      branch = outcome.result.branch;
      processData = outcome.result.processData ?? EMPTY;
      tokens = outcome.result.tokens ?? NO_TOKENS;
    } else if (this.#stopped !== undefined) {
      status = "cancelled";
      error = errorInfo(outcome.error);
    } else {
      status = "failed";
      error = errorInfo(outcome.error);
      if (node.errorStrategy === "fail-branch") {
        handledBy = "fail-branch";
        branch = "fail";
        outputs = { error };
      } else if (node.errorStrategy === "default-value") {
        handledBy = "default-value";
        outputs = node.spec.default_outputs ?? EMPTY;
      }
    }
    this.#tokensIn += tokens.input;
    this.#tokensOut += tokens.output;
    const record: NodeRunRecord = {
      nodeId: node.id,
      nodeType: node.type,
      stepIndex: this.#records.length + 1,
      status,
      inputs,
      outputs,
      processData,
      ...(error ? { error } : {}),
      attempts: outcome.attempts,
      tokens,
      elapsedMs,
      startedAt,
      finishedAt,
      ...(handledBy ? { handledBy } : {}),
    };
    this.#commit(record);
    if (status === "succeeded" || handledBy) {
      if (handledBy) this.#handledFailures++;
      if (handledBy === "fail-branch") this.#failBranched[node.index] = 1;
      if (node.type === "end") this.#outputs = this.#outputs === EMPTY ? outputs : { ...this.#outputs, ...outputs };
      this.#state[node.index] = DONE;
      this.#branch[node.index] = branch;
      this.#d.pool.setNodeOutputs(node.id, outputs);
      this.#emit(status === "succeeded" ? "node.finished" : "node.failed", () => ({
        type: status === "succeeded" ? "node.finished" : "node.failed",
        runId: this.#d.runId,
        nodeId: node.id,
        record,
      }));
      this.#release(node);
      return;
    }
    this.#state[node.index] = DONE;
    this.#emit("node.failed", () => ({ type: "node.failed", runId: this.#d.runId, nodeId: node.id, record }));
    if (status === "failed") {
      this.#stop("failed", {
        message: `node "${node.id}" failed: ${error?.message}`,
        nodeId: node.id,
        ...(error?.code ? { code: error.code } : {}),
      });
    }
  }

  #commit(record: NodeRunRecord): void {
    this.#records.push(record);
    const recorder = this.#d.recorder;
    if (!recorder) return;
    const runId = this.#d.runId;
    // After a failed write the run is failing; its remaining node rows would fail the same way.
    this.#chainRecording(() =>
      this.#recordingFailed
        ? undefined
        : recorder.nodeFinished({
            ...record,
            runId,
            startedAt: new Date(record.startedAt),
            finishedAt: new Date(record.finishedAt),
          }),
    );
  }

  /** Resolves a finished or skipped node's outgoing edges; readies or skips their targets. */
  #release(node: CompiledNode): void {
    const skipped = this.#state[node.index] === SKIPPED;
    const branch = this.#branch[node.index];
    for (const edge of node.outgoing) {
      const target = edge.target;
      // Plain edges follow a node that ran (or used default outputs); branch edges only the taken branch.
      const taken =
        !skipped && (edge.branch === undefined ? this.#failBranched[node.index] === 0 : edge.branch === branch);
      if (taken) this.#takenEdges[target]!++;
      if (--this.#pendingEdges[target]! > 0 || this.#state[target] !== PENDING) continue;
      if (this.#takenEdges[target]! > 0) this.#ready.push(target);
      else this.#skip(this.#nodes[target] as CompiledNode);
    }
  }

  #skip(node: CompiledNode): void {
    this.#state[node.index] = SKIPPED;
    const now = this.#d.clock.now();
    const record: NodeRunRecord = {
      nodeId: node.id,
      nodeType: node.type,
      stepIndex: this.#records.length + 1,
      status: "skipped",
      inputs: EMPTY,
      outputs: EMPTY,
      processData: EMPTY,
      attempts: 0,
      tokens: NO_TOKENS,
      elapsedMs: 0,
      startedAt: now,
      finishedAt: now,
    };
    this.#commit(record);
    this.#emit("node.skipped", () => ({ type: "node.skipped", runId: this.#d.runId, nodeId: node.id, record }));
    this.#release(node);
  }

  #stop(status: "failed" | "cancelled", error: { message: string; nodeId?: string; code?: string }): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = { status, error };
    const code = status === "cancelled" ? "CANCELLED" : error.code === "RUN_TIMEOUT" ? "RUN_TIMEOUT" : "RUN_FAILED";
    this.#abortReason = new RunAbortedError(error.message, code);
    this.#controller?.abort(this.#abortReason);
    for (const stop of [...this.#waiting]) stop(this.#abortReason);
    if (this.#running === 0) this.#finish();
  }

  #finished = false;
  #outputs: Readonly<Record<string, unknown>> = EMPTY;

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    deadlines.remove(this.#deadline);
    this.#d.signal?.removeEventListener("abort", this.#onExternalAbort);
    const d = this.#d;
    const status = this.#stopped?.status ?? (this.#handledFailures > 0 ? "partial-succeeded" : "succeeded");
    const finishedAt = d.clock.now();
    const result: RunResult = {
      runId: d.runId,
      status,
      outputs: this.#stopped === undefined ? this.#outputs : EMPTY,
      ...(this.#stopped ? { error: this.#stopped.error } : {}),
      nodes: this.#records,
      totals: {
        steps: this.#steps,
        elapsedMs: performance.now() - this.#startedPerf,
        tokens: { input: this.#tokensIn, output: this.#tokensOut },
      },
      startedAt: this.#startedAt,
      finishedAt,
    };
    if (d.recorder) {
      const recorder = d.recorder;
      this.#chainRecording(() =>
        recorder.runFinished({
          runId: d.runId,
          status: result.status,
          outputs: result.outputs,
          ...(result.error ? { error: result.error } : {}),
          totalSteps: result.totals.steps,
          tokens: result.totals.tokens,
          elapsedMs: result.totals.elapsedMs,
          finishedAt: new Date(finishedAt),
        }),
      );
    }
    if (d.recorder) void this.#recording.then(() => this.#publish(result));
    else this.#publish(result);
  }

  /** Emits `run.finished` and settles `result`, once every recorder write has been attempted. */
  #publish(result: RunResult): void {
    const final = this.#recordingErrors.length > 0 ? { ...result, recordingErrors: this.#recordingErrors } : result;
    this.#emit("run.finished", () => ({ type: "run.finished", runId: this.#d.runId, result: final }));
    this.#resolve(final);
  }
}
