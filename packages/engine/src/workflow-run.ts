import type { EventEmitter } from "eventemitter3";
import { AnswerStream } from "./answer-stream.ts";
import type { CompiledWorkflow } from "./compiled-workflow.ts";
import { type Deadline, deadlines } from "./deadline-scheduler.ts";
import { GraphRun, type GraphStop, type WallClock } from "./graph-run.ts";
import type { RunEventListeners } from "./run-events.ts";
import { RunJournal } from "./run-journal.ts";
import type { ResumePoint, RunResult } from "./run-result.ts";
import type { ServiceContainer } from "./service-container.ts";
import type { Clock, Logger, RunRecorder, RunStartRecord } from "./services.ts";
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
  readonly resume?: ResumePoint;
}

/** The default clock: wall time from Date.now. */
export const SYSTEM_CLOCK: Clock = Object.freeze({ now: Date.now });

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * One execution of a compiled workflow: the run's lifecycle (its record, time limit, external
 * cancellation) around the graph run that schedules its nodes. Internal to the executor.
 */
export class WorkflowRun implements WallClock {
  readonly #d: RunDeps;
  readonly #journal: RunJournal;
  readonly #graph: GraphRun;
  readonly #answers: AnswerStream | undefined;
  #startedAt = 0;
  #startedPerf = 0;
  #deadline: Deadline | undefined;
  /** Made only for a run given a signal. */
  #onExternalAbort: (() => void) | undefined;
  #finished = false;
  #resolve!: (result: RunResult) => void;
  readonly result: Promise<RunResult>;

  constructor(deps: RunDeps) {
    this.#d = deps;
    this.#journal = new RunJournal(deps.runId, deps.emitters, deps.recorder, deps.logger, (message) => {
      // A run whose record cannot be written must not go on, or be announced.
      if (!this.#finished) {
        this.#graph.stop("failed", { message: `the run could not be recorded: ${message}`, code: "RECORDING_FAILED" });
      }
    });
    this.#journal.stepOffset = deps.resume?.stepOffset ?? 0;
    this.#answers = deps.compiled.hasAnswers
      ? new AnswerStream(deps.compiled.answerSlots, (nodeId, chunk) =>
          this.#journal.emit("node.chunk", () => ({
            type: "node.chunk",
            runId: deps.runId,
            nodeId,
            chunk,
            answer: true,
          })),
        )
      : undefined;
    this.#graph = new GraphRun({
      runId: deps.runId,
      graph: deps.compiled,
      inputs: deps.inputs,
      pool: deps.pool,
      services: deps.services,
      journal: this.#journal,
      limits: deps.limits,
      clock: deps.clock,
      logger: deps.logger,
      wallClock: this,
      ...(this.#answers !== undefined && { answers: this.#answers }),
      ...(deps.resume !== undefined && {
        completed: new Map(deps.resume.completed.map((node) => [node.nodeId, node])),
      }),
    });
    this.result = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  start(): void {
    const d = this.#d;
    const journal = this.#journal;
    this.#startedAt = d.clock.now();
    this.#startedPerf = performance.now();
    if (d.recorder) {
      const record: RunStartRecord = {
        ...d.record,
        runId: d.runId,
        inputs: d.inputs,
        startedAt: new Date(this.#startedAt),
      };
      journal.write({ kind: "start", run: record });
    }
    journal.emit("run.started", () => ({ type: "run.started", runId: d.runId, startedAt: this.#startedAt }));
    void this.#graph.outcome.then((outcome) => this.#finish(outcome.stopped, outcome.outputs));
    if (d.signal?.aborted) {
      this.#graph.stop("cancelled", { message: "run was cancelled", code: "CANCELLED" });
      return;
    }
    if (d.signal !== undefined) {
      this.#onExternalAbort = () => {
        this.#graph.stop("cancelled", { message: "run was cancelled", code: "CANCELLED" });
      };
      d.signal.addEventListener("abort", this.#onExternalAbort, { once: true });
    }
    if (d.limits.timeoutMs > 0 && Number.isFinite(d.limits.timeoutMs)) {
      this.#deadline = deadlines.add(d.limits.timeoutMs, () =>
        this.#graph.stop("failed", {
          message: `run exceeded its time limit of ${d.limits.timeoutMs} ms`,
          code: "RUN_TIMEOUT",
        }),
      );
    }
    // A recorded run runs no node before its run row exists: nothing happens that was not recorded.
    if (d.recorder) void journal.settled.then(() => this.#graph.start());
    else this.#graph.start();
  }

  /**
   * Wall-clock ms for a `performance.now()` reading: derived from the run's start when the clock
   * is the system's (one timer read per timestamp instead of two), read from an injected Clock otherwise.
   */
  wallTime(perf: number): number {
    return this.#d.clock === SYSTEM_CLOCK ? this.#startedAt + (perf - this.#startedPerf) : this.#d.clock.now();
  }

  #finish(stopped: GraphStop | undefined, outputs: Readonly<Record<string, unknown>>): void {
    if (this.#finished) return;
    this.#finished = true;
    deadlines.remove(this.#deadline);
    if (this.#onExternalAbort !== undefined) this.#d.signal?.removeEventListener("abort", this.#onExternalAbort);
    const d = this.#d;
    const journal = this.#journal;
    const status = stopped?.status ?? (journal.handledFailures > 0 ? "partial-succeeded" : "succeeded");
    const finishedAt = d.clock.now();
    const result: RunResult = {
      runId: d.runId,
      status,
      outputs: stopped !== undefined ? EMPTY : this.#answers ? { ...outputs, answer: this.#answers.text } : outputs,
      ...(stopped ? { error: stopped.error } : {}),
      nodes: journal.records,
      totals: {
        steps: journal.steps,
        elapsedMs: performance.now() - this.#startedPerf,
        tokens: { input: journal.tokensIn, output: journal.tokensOut },
      },
      startedAt: this.#startedAt,
      finishedAt,
      ...(d.compiled.workflow.conversation_variables !== undefined && {
        conversation: { values: { ...d.pool.conversation }, changed: d.pool.conversationChanges },
      }),
    };
    if (d.recorder) {
      journal.write({
        kind: "finish",
        run: {
          runId: d.runId,
          status: result.status,
          outputs: result.outputs,
          ...(result.error ? { error: result.error } : {}),
          totalSteps: result.totals.steps,
          tokens: result.totals.tokens,
          elapsedMs: result.totals.elapsedMs,
          finishedAt: new Date(finishedAt),
        },
      });
      void journal.settled.then(() => this.#publish(result));
    } else this.#publish(result);
  }

  /** Emits `run.finished` and settles `result`, once every recorder write has been attempted. */
  #publish(result: RunResult): void {
    const errors = this.#journal.recordingErrors;
    const final = errors.length > 0 ? { ...result, recordingErrors: errors } : result;
    this.#journal.emit("run.finished", () => ({ type: "run.finished", runId: this.#d.runId, result: final }));
    this.#resolve(final);
  }
}
