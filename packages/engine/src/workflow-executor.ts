import { EventEmitter } from "eventemitter3";
import { type CompiledWorkflow, compileWorkflow, isCompiledWorkflow } from "./compiled-workflow.ts";
import type { NodeRegistryV2 } from "./node-registry.ts";
import type { RunEventListeners } from "./run-events.ts";
import { RunHandle } from "./run-handle.ts";
import type { ResumePoint, RunResult } from "./run-result.ts";
import { ServiceContainer, Services } from "./service-container.ts";
import type { Logger } from "./services.ts";
import { type SystemVariables, VariablePool } from "./variable-pool.ts";
import { SYSTEM_CLOCK, WorkflowRun } from "./workflow-run.ts";

/** Run-level limits. Defaults: 64 concurrent nodes, one step per node of the graph, 30 minutes. */
export interface ExecutorLimits {
  /** Nodes running at once; independent branches overlap up to this many. */
  readonly concurrency?: number;
  /**
   * Node executions per run (retries of one node count once). Default: the graph's node count —
   * without loops every node runs at most once, so a valid graph of any size fits.
   */
  readonly maxSteps?: number;
  /** Wall time for the whole run; `0` disables it. */
  readonly timeoutMs?: number;
}

export const DEFAULT_LIMITS: Required<Omit<ExecutorLimits, "maxSteps">> = Object.freeze({
  concurrency: 64,
  timeoutMs: 30 * 60_000,
});

export interface ExecutorOptions extends ExecutorLimits {
  /** Services shared by every run; each run resolves through its own child scope. */
  readonly services?: ServiceContainer;
}

export interface RunOptions extends ExecutorLimits {
  readonly runId?: string;
  readonly signal?: AbortSignal;
  /** Services to run with instead of the executor's; the run still gets its own child scope of them. */
  readonly services?: ServiceContainer;
  /**
   * Registers services for this run only, on its child scope (a per-request logger or recorder);
   * other runs and the parent container never see them.
   */
  readonly configureServices?: (scope: ServiceContainer) => void;
  /** `sys.*` values; `run_id` is set by the executor, `query` defaults to `inputs.query`. */
  readonly system?: SystemVariables;
  /**
   * The session's stored conversation variables; declared ones missing here start at their
   * `default`. Writes of the run come back in `result.conversation`.
   */
  readonly conversation?: Readonly<Record<string, unknown>>;
  /** `env.*` values, over the workflow's own `env`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Passed to the RunRecorder with the run's start. */
  readonly record?: {
    readonly botId?: string;
    readonly workflowVersionId?: string;
    readonly trigger?: string;
    readonly sessionId?: string;
  };
  /**
   * Start from a partial state: these nodes are not run again; their recorded outputs are restored
   * and their branches followed, the rest runs as usual (with `runId`, the same run continues).
   */
  readonly resume?: ResumePoint;
}

const SILENT: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Runs V2 workflows. Node failures end in the result (`status: "failed"`), never as a throw;
 * an invalid workflow throws WorkflowValidationError carrying every problem.
 *
 * @example
 * const executor = new WorkflowExecutorV2(registry, { services });
 * const result = await executor.run(workflowJson, { query: "What is Portflow?" }, { system: { bot_id } });
 * if (result.status === "succeeded") console.log(result.outputs.answer);
 */
export class WorkflowExecutorV2 {
  /** Events of every run this executor starts. */
  readonly events = new EventEmitter<RunEventListeners>();
  readonly #services: ServiceContainer;
  readonly #limits: Required<Omit<ExecutorLimits, "maxSteps">> & Pick<ExecutorLimits, "maxSteps">;

  constructor(
    readonly registry: NodeRegistryV2,
    options: ExecutorOptions = {},
  ) {
    this.#services = options.services ?? new ServiceContainer();
    this.#limits = {
      concurrency: options.concurrency ?? DEFAULT_LIMITS.concurrency,
      ...(options.maxSteps !== undefined && { maxSteps: options.maxSteps }),
      timeoutMs: options.timeoutMs ?? DEFAULT_LIMITS.timeoutMs,
    };
  }

  /** Services shared by runs; each run resolves through a child scope of these (see `configureServices`). */
  get services(): ServiceContainer {
    return this.#services;
  }

  /** Validates and compiles once; pass the result to `run` to skip the cache lookup. */
  compile(workflow: unknown): CompiledWorkflow {
    return compileWorkflow(workflow, this.registry);
  }

  run(workflow: unknown, inputs: Readonly<Record<string, unknown>> = {}, options: RunOptions = {}): Promise<RunResult> {
    return this.start(workflow, inputs, options).result;
  }

  /** Starts a run and returns its handle at once (events, result). */
  start(workflow: unknown, inputs: Readonly<Record<string, unknown>> = {}, options: RunOptions = {}): RunHandle {
    const compiled = isCompiledWorkflow(workflow) ? workflow : compileWorkflow(workflow, this.registry);
    const runId = options.runId ?? crypto.randomUUID();
    // Each run resolves through its own child scope (its container is made only if it registers services).
    const services = (options.services ?? this.#services).createScope();
    options.configureServices?.(services);
    const query = options.system?.query ?? (typeof inputs.query === "string" ? inputs.query : undefined);
    const pool = new VariablePool(
      { ...options.system, ...(query !== undefined ? { query } : {}), run_id: runId },
      { ...compiled.workflow.env, ...options.env },
    );
    const declared = compiled.workflow.conversation_variables;
    if (declared !== undefined) {
      const stored = options.conversation ?? {};
      pool.setConversation(
        Object.fromEntries(
          declared.map((v) => [v.name, Object.hasOwn(stored, v.name) ? stored[v.name] : (v.default ?? null)]),
        ),
      );
    }
    const emitters: EventEmitter<RunEventListeners>[] = [this.events];
    const run = new WorkflowRun({
      runId,
      compiled,
      inputs,
      pool,
      services,
      limits: {
        concurrency: Math.max(1, options.concurrency ?? this.#limits.concurrency),
        maxSteps: options.maxSteps ?? this.#limits.maxSteps ?? defaultMaxSteps(compiled),
        timeoutMs: options.timeoutMs ?? this.#limits.timeoutMs,
      },
      ...(options.signal ? { signal: options.signal } : {}),
      emitters,
      clock: services.tryResolve(Services.Clock) ?? SYSTEM_CLOCK,
      logger: services.tryResolve(Services.Logger) ?? SILENT,
      ...optionalRecorder(services),
      record: { sessionId: options.system?.session_id, botId: options.system?.bot_id, ...options.record },
      ...(options.resume !== undefined && { resume: options.resume }),
    });
    const handle = new RunHandle(runId, run.result);
    emitters.push(handle);
    queueMicrotask(() => run.start());
    return handle;
  }
}

function optionalRecorder(services: ServiceContainer) {
  const recorder = services.tryResolve(Services.RunRecorder);
  return recorder ? { recorder } : {};
}

/** Without containers every node runs at most once; with iterations and loops, 100,000 steps. */
export const DEFAULT_MAX_STEPS_WITH_CONTAINERS = 100_000;

function defaultMaxSteps(compiled: CompiledWorkflow): number {
  if (compiled.nodes.some((n) => n.body !== undefined)) return DEFAULT_MAX_STEPS_WITH_CONTAINERS;
  return Math.max(1, compiled.nodes.length);
}
