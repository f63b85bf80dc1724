/**
 * Starts workflow runs for the HTTP layer: picks the bot's workflow (V2 published version, else
 * V1 through the adapter), wires in session history, caches compiled graphs, and tracks every run
 * so shutdown can drain or cancel it.
 * @module
 */
import {
  type CompiledWorkflow,
  type Logger,
  NodeAdapter,
  type RunHandle,
  type RunOptions,
  Services,
  type WorkflowExecutorV2,
  WorkflowValidationError,
} from "@portflow/engine";
import { type SecretResolver, SecretResolverService } from "@portflow/nodes";
import { AppError } from "./app-error.ts";
import { isChildLogger } from "./pino-engine-logger.ts";
import type { RunTracker } from "./run-tracker.ts";
import { wireSessionHistory } from "./session-history-wiring.ts";

/** What a run executes: a V2 graph or a V1 workflow, with the key to cache its compiled form under. */
export interface RunTarget {
  readonly kind: "v2" | "v1";
  readonly graph: unknown;
  readonly workflowVersionId?: string;
  /** The stored version's checksum (with `workflowVersionId`): what a run spec names it by. */
  readonly checksum?: string;
  /** Stable for an unchanged graph (a version id with its checksum); absent: compiled afresh each time. */
  readonly cacheKey?: string;
}

const CACHE_LIMIT = 256;

/** A 422 listing every problem, from whatever the engine threw while compiling. */
export function invalidWorkflowError(error: unknown): AppError | undefined {
  if (error instanceof WorkflowValidationError) {
    return new AppError(422, "workflow_invalid", "the workflow is invalid", { problems: error.problems });
  }
  if (error instanceof Error && (error.name === "ZodError" || error.name === "UnknownV1NodeTypesError")) {
    return new AppError(422, "workflow_invalid", `the V1 workflow is invalid: ${error.message}`, { problems: [] });
  }
  return undefined;
}

export class WorkflowRunner {
  readonly #adapter: NodeAdapter;
  readonly #compiled = new Map<string, CompiledWorkflow>();

  /**
   * @param secrets the bot's secrets for a run (`storage.botSecrets`), registered on the run's own
   *   service scope as the SecretResolver: never in its inputs, system variables or records
   */
  constructor(
    readonly executor: WorkflowExecutorV2,
    readonly tracker: RunTracker,
    private readonly secrets?: (botId: string) => SecretResolver,
  ) {
    this.#adapter = new NodeAdapter(executor);
  }

  /** Validates and compiles (cached by `cacheKey`); throws a 422 AppError when invalid. */
  compile(target: RunTarget): CompiledWorkflow {
    const key = target.cacheKey === undefined ? undefined : `${target.kind}:${target.cacheKey}`;
    const cached = key === undefined ? undefined : this.#compiled.get(key);
    if (cached !== undefined && key !== undefined) {
      // Least recently used goes first: a hit moves to the back.
      this.#compiled.delete(key);
      this.#compiled.set(key, cached);
      return cached;
    }
    let compiled: CompiledWorkflow;
    try {
      const v2 = target.kind === "v2" ? target.graph : this.#adapter.adapt(target.graph);
      compiled = this.executor.compile(wireSessionHistory(v2));
    } catch (error) {
      throw invalidWorkflowError(error) ?? error;
    }
    if (key !== undefined) {
      if (this.#compiled.size >= CACHE_LIMIT) this.#compiled.delete(this.#compiled.keys().next().value as string);
      this.#compiled.set(key, compiled);
    }
    return compiled;
  }

  /**
   * Starts a run. `signal` (the client) cancels it; so does shutdown past its grace period.
   * Refused with 503 while the server drains.
   */
  start(target: RunTarget, inputs: Readonly<Record<string, unknown>>, options: RunOptions): RunHandle {
    if (this.tracker.draining) throw new AppError(503, "service_unavailable", "the server is shutting down");
    const compiled = this.compile(target);
    const shutdown = new AbortController();
    const signal = options.signal !== undefined ? AbortSignal.any([options.signal, shutdown.signal]) : shutdown.signal;
    const runId = options.runId ?? crypto.randomUUID();
    const botId = options.system?.bot_id ?? options.record?.botId;
    let runLog: Logger | undefined;
    const withSecrets = this.#withSecrets(options).configureServices ?? options.configureServices;
    const handle = this.executor.start(compiled, inputs, {
      ...options,
      runId,
      signal,
      configureServices: (scope) => {
        // Every line the run logs (engine, nodes) carries its run_id and bot_id.
        const base = scope.tryResolve(Services.Logger);
        if (base !== undefined && isChildLogger(base)) {
          runLog = base.child({ run_id: runId, ...(typeof botId === "string" && { bot_id: botId }) });
          scope.register(Services.Logger, runLog);
        }
        withSecrets?.(scope);
      },
    });
    runLog?.debug("run started", { trigger: options.record?.trigger });
    void handle.result.then(
      (result) => runLog?.info("run finished", { status: result.status, elapsed_ms: result.totals.elapsedMs }),
      (error: unknown) => runLog?.error("run threw", { error: error instanceof Error ? error.message : String(error) }),
    );
    this.tracker.track(handle.result, shutdown);
    return handle;
  }

  #withSecrets(options: RunOptions): Pick<RunOptions, "configureServices"> {
    const botId = options.system?.bot_id ?? options.record?.botId;
    if (this.secrets === undefined || typeof botId !== "string") return {};
    const resolver = this.secrets(botId);
    const configure = options.configureServices;
    return {
      configureServices: (scope) => {
        scope.register(SecretResolverService, resolver);
        configure?.(scope);
      },
    };
  }
}
