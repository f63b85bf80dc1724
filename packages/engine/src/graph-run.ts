import { setTimeout as sleep } from "node:timers/promises";
import { RunAbortedError } from "./abort-error.ts";
import type { AnswerStream } from "./answer-stream.ts";
import { AttemptRace } from "./attempt-race.ts";
import type { NodeRunResult } from "./base-node.ts";
import type { BodyRound, BodyRunner } from "./body-runner.ts";
import type { CompiledGraph, CompiledNode } from "./compiled-workflow.ts";
import { AttemptContext, type AttemptHost } from "./node-context.ts";
import { valueMatchesPortType } from "./port-definition.ts";
import { formatContext, isRetrievedDocumentArray } from "./retrieved-document.ts";
import { errorInfo, type RunJournal } from "./run-journal.ts";
import type { CompletedNode, NodeRunRecord } from "./run-result.ts";
import type { ServiceContainer } from "./service-container.ts";
import type { Clock, Logger, NodeExecutionStatus, TokenUsage } from "./services.ts";
import type { ValueSelector } from "./value-selector.ts";
import type { VariablePool } from "./variable-pool.ts";

export interface GraphLimits {
  readonly concurrency: number;
  readonly maxSteps: number;
}

/** Where a graph runs: a sub-graph round names its container and round. */
export interface GraphScope {
  readonly parentNodeId: string;
  readonly iterationIndex: number;
}

export interface GraphRunDeps {
  readonly runId: string;
  readonly graph: CompiledGraph;
  /** Handed to the graph's `start` node (the run's inputs). */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly pool: VariablePool;
  readonly services: ServiceContainer;
  readonly journal: RunJournal;
  readonly limits: GraphLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Wall-clock ms for `performance.now()` readings. */
  readonly wallClock: WallClock;
  readonly scope?: GraphScope;
  /** The run's answer stream (top level). */
  readonly answers?: AnswerStream;
  /** In a body: where its answers' text goes (the outermost container's answer slot). */
  readonly bodyAnswer?: (answerId: string, text: string) => void;
  /** Nodes a resumed run does not run again (top level only), by id. */
  readonly completed?: ReadonlyMap<string, CompletedNode>;
}

/** Turns a `performance.now()` reading into wall-clock ms (for records' timestamps). */
export interface WallClock {
  wallTime(perf: number): number;
}

/** How a graph run ended; `stopped` is absent when every reachable node finished. */
export interface GraphOutcome {
  readonly stopped?: GraphStop;
  /** The outputs of the end nodes that ran, merged in the order they finished. */
  readonly outputs: Readonly<Record<string, unknown>>;
}

export interface GraphStop {
  readonly status: "failed" | "cancelled";
  readonly error: { readonly message: string; readonly nodeId?: string; readonly code?: string };
}

const PENDING = 0;
const RUNNING = 1;
const DONE = 2;
const SKIPPED = 3;

type Outcome =
  | { readonly ok: true; readonly result: NodeRunResult<Record<string, unknown>>; readonly attempts: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

const NO_TOKENS: TokenUsage = Object.freeze({ input: 0, output: 0 });
const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

function isThenable(value: unknown): value is PromiseLike<NodeRunResult<Record<string, unknown>>> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/**
 * Runs one graph — a workflow's top level, or one round of a container's body — scheduling nodes
 * as their incoming edges resolve, with per-node timeout, retry and error strategy. Records and
 * events go to the run's journal; the run's step budget is shared by every graph in it.
 */
export class GraphRun implements AttemptHost {
  readonly #d: GraphRunDeps;
  readonly #nodes: readonly CompiledNode[];
  readonly #state: Uint8Array;
  readonly #pendingEdges: Int32Array;
  readonly #takenEdges: Int32Array;
  readonly #branch: (string | undefined)[];
  readonly #failBranched: Uint8Array;
  readonly #ready: number[] = [];
  /** Made on first use: most runs never need a graph-wide signal. */
  #controller: AbortController | undefined;
  /** Attempts awaiting a promise, stopped directly on abort. */
  readonly #waiting = new Set<AttemptRace<NodeRunResult<Record<string, unknown>>>>();
  #running = 0;
  #stopped: GraphStop | undefined;
  #abortReason: RunAbortedError | undefined;
  #outputs: Readonly<Record<string, unknown>> = EMPTY;
  #finished = false;
  #resolve!: (outcome: GraphOutcome) => void;
  readonly outcome: Promise<GraphOutcome>;

  constructor(deps: GraphRunDeps) {
    this.#d = deps;
    this.#nodes = deps.graph.nodes;
    const n = this.#nodes.length;
    this.#state = new Uint8Array(n);
    this.#pendingEdges = new Int32Array(n);
    this.#takenEdges = new Int32Array(n);
    this.#branch = new Array(n);
    this.#failBranched = new Uint8Array(n);
    for (const node of this.#nodes) this.#pendingEdges[node.index] = node.incoming.length;
    this.outcome = new Promise((resolve) => {
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

  get stopped(): GraphStop | undefined {
    return this.#stopped;
  }

  start(): void {
    if (this.#stopped !== undefined) return;
    for (const node of this.#nodes) if (node.incoming.length === 0) this.#ready.push(node.index);
    this.#pump();
  }

  emitChunk(nodeId: string, chunk: string): void {
    const scope = this.#d.scope;
    this.#d.journal.emit("node.chunk", () => ({ type: "node.chunk", runId: this.#d.runId, nodeId, chunk, ...scope }));
    this.#d.answers?.sourceChunk(nodeId, chunk, (answerId, template) => this.#renderPrefix(answerId, template));
  }

  /** An answer's template up to its streamed value, or undefined while a value it names is missing. */
  #renderPrefix(answerId: string, template: string): string | undefined {
    const node = this.#nodes.find((n) => n.id === answerId);
    if (node === undefined) return undefined;
    try {
      return this.#d.pool.render(template, this.#inputsOf(node));
    } catch {
      return undefined;
    }
  }

  /** Stops scheduling, aborts running attempts (recorded `cancelled`); the first stop wins. */
  stop(status: GraphStop["status"], error: GraphStop["error"]): void {
    if (this.#stopped !== undefined || this.#finished) return;
    this.#stopped = { status, error };
    const code = status === "cancelled" ? "CANCELLED" : error.code === "RUN_TIMEOUT" ? "RUN_TIMEOUT" : "RUN_FAILED";
    this.#abortReason = new RunAbortedError(error.message, code);
    this.#controller?.abort(this.#abortReason);
    for (const race of [...this.#waiting]) race.stop(this.#abortReason);
    if (this.#running === 0) this.#finish();
  }

  #pump(): void {
    const { concurrency, maxSteps } = this.#d.limits;
    const journal = this.#d.journal;
    while (this.#stopped === undefined && this.#ready.length > 0 && this.#running < concurrency) {
      if (journal.steps >= maxSteps) {
        this.stop("failed", { message: `run exceeded its step limit of ${maxSteps} nodes`, code: "STEP_LIMIT" });
        break;
      }
      const index = this.#ready.shift() as number;
      const completed = this.#d.completed?.get((this.#nodes[index] as CompiledNode).id);
      if (completed !== undefined) {
        this.#restore(this.#nodes[index] as CompiledNode, completed);
        continue;
      }
      journal.steps++;
      this.#running++;
      this.#state[index] = RUNNING;
      this.#execute(this.#nodes[index] as CompiledNode);
    }
    if (this.#running === 0 && (this.#ready.length === 0 || this.#stopped !== undefined)) this.#finish();
  }

  /**
   * A node that finished in an earlier attempt: its recorded outputs and branch, as if it had just
   * finished, with no record, event or step of its own.
   */
  #restore(node: CompiledNode, completed: CompletedNode): void {
    const outputs = completed.outputs;
    if (completed.handledBy !== undefined) this.#d.journal.handledFailures++;
    if (completed.handledBy === "fail-branch") this.#failBranched[node.index] = 1;
    if (node.type === "end") this.#outputs = this.#outputs === EMPTY ? outputs : { ...this.#outputs, ...outputs };
    this.#state[node.index] = DONE;
    this.#branch[node.index] = completed.branch;
    this.#d.pool.setNodeOutputs(node.id, outputs);
    if (node.type === "answer" && typeof outputs.answer === "string")
      this.#d.answers?.answered(node.id, outputs.answer);
    this.#d.answers?.closed(node.id);
    this.#release(node);
  }

  /** Gathers a node's inputs: wires, then mappings, then port defaults. */
  #inputsOf(node: CompiledNode): Record<string, unknown> {
    if (node.index === this.#d.graph.start) return { ...this.#d.inputs };
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
    if (node.index === this.#d.graph.start) return undefined;
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

  /**
   * Runs a node's first attempt at once. A node that returns a value (or throws with no retry
   * left) settles before this returns, so a chain of synchronous nodes costs no promise per node;
   * one that returns a promise, or will retry, settles later and pumps the queue then.
   */
  #execute(node: CompiledNode): void {
    const startedPerf = performance.now();
    const startedAt = this.#d.wallClock.wallTime(startedPerf);
    const inputs = this.#inputsOf(node);
    const invalid = this.#checkInputs(node, inputs);
    if (invalid !== undefined) {
      const error = Object.assign(new Error(invalid), { code: "INVALID_INPUT" });
      this.#done(node, inputs, { ok: false, error, attempts: 0 }, startedAt, startedPerf);
      return;
    }
    this.#emitStarted(node, 1);
    let returned: NodeRunResult<Record<string, unknown>> | Promise<NodeRunResult<Record<string, unknown>>>;
    try {
      returned = this.#attempt(node, inputs, 1);
    } catch (error) {
      if (this.#stopped !== undefined || node.retry.max_attempts <= 1) {
        this.#done(node, inputs, { ok: false, error, attempts: 1 }, startedAt, startedPerf);
      } else void this.#later(node, inputs, this.#retries(node, inputs, error, 1), startedAt, startedPerf);
      return;
    }
    if (!isThenable(returned)) {
      this.#done(node, inputs, { ok: true, result: returned, attempts: 1 }, startedAt, startedPerf);
      return;
    }
    void this.#later(node, inputs, this.#awaitFirst(node, inputs, returned), startedAt, startedPerf);
  }

  async #awaitFirst(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    pending: Promise<NodeRunResult<Record<string, unknown>>>,
  ): Promise<Outcome> {
    try {
      return { ok: true, result: await pending, attempts: 1 };
    } catch (error) {
      return this.#retries(node, inputs, error, 1);
    }
  }

  /** Settles a node whose outcome is not known yet, then schedules what it released. */
  async #later(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    outcome: Promise<Outcome>,
    startedAt: number,
    startedPerf: number,
  ): Promise<void> {
    this.#done(node, inputs, await outcome, startedAt, startedPerf);
    this.#pump();
  }

  #done(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    outcome: Outcome,
    startedAt: number,
    startedPerf: number,
  ): void {
    this.#running--;
    const finishedPerf = performance.now();
    this.#settle(
      node,
      inputs,
      outcome,
      startedAt,
      finishedPerf - startedPerf,
      this.#d.wallClock.wallTime(finishedPerf),
    );
  }

  #emitStarted(node: CompiledNode, attempt: number): void {
    const { runId, scope } = this.#d;
    this.#d.journal.emit("node.started", () => ({
      type: "node.started",
      runId,
      nodeId: node.id,
      nodeType: node.type,
      attempt,
      ...scope,
    }));
  }

  /** After attempt `failed` threw `error`: waits out the backoff and tries again, while attempts are left. */
  async #retries(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    error: unknown,
    failed: number,
  ): Promise<Outcome> {
    const { max_attempts, initial_delay_ms, backoff, max_delay_ms } = node.retry;
    const { runId, scope } = this.#d;
    for (let attempt = failed; ; attempt++) {
      if (this.#stopped !== undefined || attempt >= max_attempts) return { ok: false, error, attempts: attempt };
      const delayMs = Math.min(initial_delay_ms * backoff ** (attempt - 1), max_delay_ms);
      const failure = error;
      this.#d.journal.emit("node.retrying", () => ({
        type: "node.retrying",
        runId,
        nodeId: node.id,
        attempt: attempt + 1,
        delayMs,
        error: errorInfo(failure).message,
        ...scope,
      }));
      try {
        await sleep(delayMs, undefined, { signal: this.runSignal });
      } catch {
        // the run was stopped while waiting: fail with why it stopped
        return { ok: false, error: this.runSignal.reason, attempts: attempt };
      }
      this.#emitStarted(node, attempt + 1);
      try {
        return { ok: true, result: await this.#attempt(node, inputs, attempt + 1), attempts: attempt + 1 };
      } catch (next) {
        error = next;
      }
    }
  }

  /** One call of `node.run`, raced against the node timeout and abort. */
  #attempt(
    node: CompiledNode,
    inputs: Record<string, unknown>,
    attempt: number,
  ): NodeRunResult<Record<string, unknown>> | Promise<NodeRunResult<Record<string, unknown>>> {
    const d = this.#d;
    const ctx = new AttemptContext(d.runId, node.id, node.config, attempt, d.logger, this, d.services, d.pool);
    if (node.body !== undefined) ctx.body = this.#bodyRunner(node, node.body, ctx);
    const returned = node.node.run(inputs, ctx);
    if (!isThenable(returned)) return returned;
    const aborted = this.#abortReason;
    if (aborted !== undefined) {
      // Stopped while the node was starting (a listener of its own events cancelled the run).
      ctx.abort(aborted);
      if (node.body === undefined) return Promise.reject(aborted);
      return Promise.resolve(returned).then(
        () => Promise.reject(aborted),
        () => Promise.reject(aborted),
      );
    }
    return new AttemptRace(returned, ctx, node, this.#waiting).promise;
  }

  /** Runs a container's body once per call, in a scope of its own, stopped with the container. */
  #bodyRunner(container: CompiledNode, body: CompiledGraph, ctx: AttemptContext<unknown>): BodyRunner {
    const d = this.#d;
    // One abort listener for the whole container, not one per round: rounds are cheap.
    const live = new Set<GraphRun>();
    let stopped: { message: string; code: string } | undefined;
    const stopAll = (error: { message: string; code: string }) => {
      stopped ??= error;
      for (const run of live) run.stop("cancelled", error);
    };
    const signal = ctx.signal;
    if (signal.aborted)
      stopped = { message: errorInfo(signal.reason).message, code: errorInfo(signal.reason).code ?? "CANCELLED" };
    else {
      signal.addEventListener(
        "abort",
        () => {
          const reason = errorInfo(signal.reason);
          stopAll({ message: reason.message, code: reason.code ?? "CANCELLED" });
        },
        { once: true },
      );
    }
    return {
      stop: (message) => stopAll({ message, code: "CANCELLED" }),
      run: async (round): Promise<BodyRound> => {
        const pool = d.pool.child();
        pool.setNodeOutputs(container.id, round.vars);
        const { answers, ...inherited } = d;
        const run = new GraphRun({
          ...inherited,
          graph: body,
          inputs: EMPTY,
          pool,
          scope: { parentNodeId: container.id, iterationIndex: round.index },
          bodyAnswer: d.bodyAnswer ?? ((answerId, text) => answers?.bodyAnswered(container.id, answerId, text)),
        });
        if (stopped !== undefined) run.stop("cancelled", stopped);
        live.add(run);
        run.start();
        const outcome = await run.outcome;
        live.delete(run);
        return {
          status: outcome.stopped?.status ?? "succeeded",
          ...(outcome.stopped && { error: outcome.stopped.error }),
          read: (selector: ValueSelector) => pool.tryGet(selector),
        };
      },
    };
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
    const journal = this.#d.journal;
    const scope = this.#d.scope;
    const record: NodeRunRecord = {
      nodeId: node.id,
      nodeType: node.type,
      stepIndex: journal.nextStepIndex(),
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
      ...(branch !== undefined ? { branch } : {}),
      ...scope,
    };
    journal.commit(record);
    const runId = this.#d.runId;
    if (node.type === "answer" && status === "succeeded" && typeof outputs.answer === "string") {
      if (this.#d.bodyAnswer) this.#d.bodyAnswer(node.id, outputs.answer);
      else this.#d.answers?.answered(node.id, outputs.answer);
    }
    // A failed answer, or a container done with all its rounds: later answers may go on.
    this.#d.answers?.closed(node.id);
    if (status === "succeeded" || handledBy) {
      if (handledBy) journal.handledFailures++;
      if (handledBy === "fail-branch") this.#failBranched[node.index] = 1;
      if (node.type === "end") this.#outputs = this.#outputs === EMPTY ? outputs : { ...this.#outputs, ...outputs };
      this.#state[node.index] = DONE;
      this.#branch[node.index] = branch;
      this.#d.pool.setNodeOutputs(node.id, outputs);
      const name = status === "succeeded" ? "node.finished" : "node.failed";
      journal.emit(name, () => ({ type: name, runId, nodeId: node.id, record }));
      this.#release(node);
      return;
    }
    this.#state[node.index] = DONE;
    journal.emit("node.failed", () => ({ type: "node.failed", runId, nodeId: node.id, record }));
    if (status === "failed") {
      this.stop("failed", {
        message: `node "${node.id}" failed: ${error?.message}`,
        nodeId: node.id,
        ...(error?.code ? { code: error.code } : {}),
      });
    }
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
    const journal = this.#d.journal;
    const record: NodeRunRecord = {
      nodeId: node.id,
      nodeType: node.type,
      stepIndex: journal.nextStepIndex(),
      status: "skipped",
      inputs: EMPTY,
      outputs: EMPTY,
      processData: EMPTY,
      attempts: 0,
      tokens: NO_TOKENS,
      elapsedMs: 0,
      startedAt: now,
      finishedAt: now,
      ...this.#d.scope,
    };
    journal.commit(record);
    journal.emit("node.skipped", () => ({ type: "node.skipped", runId: this.#d.runId, nodeId: node.id, record }));
    this.#d.answers?.closed(node.id);
    this.#release(node);
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#resolve({ ...(this.#stopped && { stopped: this.#stopped }), outputs: this.#outputs });
  }
}
