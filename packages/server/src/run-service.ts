/**
 * The only way runs start: `submit` stores a run as `queued` with its spec before anything
 * executes; `execute` loads a spec by run id and runs it. Chat, debug runs, `portflow run`,
 * resumes and the queue's workers all go through here.
 * @module
 */
import { randomUUID } from "node:crypto";
import {
  type CompiledWorkflow,
  type Logger,
  type ResumePoint,
  type RunEvent,
  type RunHandle,
  Services,
} from "@portflow/engine";
import { withFileMetadata } from "@portflow/nodes";
import { type PgRunRecorder, type RecordedNode, type Storage, workflowChecksum } from "@portflow/storage";
import { AppError } from "./app-error.ts";
import { loadConversation } from "./conversation-state.ts";
import { debugNodeResume, debugNodeWorkflow } from "./debug-node-workflow.ts";
import { fileMetadataRecorder } from "./file-metadata-recorder.ts";
import { RelayRunHandle, RUN_EVENT_NAMES } from "./relay-run-handle.ts";
import type { RunEventLog } from "./run-event-log.ts";
import { InvalidRunSpecError, parseRunSpec, type RunSpec, runSpecSchema } from "./run-spec.ts";
import { HISTORY_INPUT } from "./session-history-wiring.ts";
import type { RunTarget, WorkflowRunner } from "./workflow-runner.ts";

/** What the service reads and writes. */
export type RunServiceStorage = Pick<Storage, "runSpecs" | "workflowVersions" | "bots" | "conversationVariables"> & {
  /** The recorder runs executed here are recorded by: what `execute(…, { claim })` claims a queued run with. */
  readonly recorder?: Pick<PgRunRecorder, "claimQueued">;
};

/**
 * Where submitted runs execute. Inline (the default) runs them in this process; the queue hands
 * them to worker processes and follows their events.
 */
export interface RunDispatcher {
  /**
   * Hands a submitted run over for execution (with its spec as submitted, so the executor may
   * skip reading it back); the handle follows it wherever it runs (`fail` stops following).
   */
  dispatch(runId: string, spec?: RunSpec): Promise<RelayRunHandle>;
  /**
   * Marks the run as being cancelled, before it is recorded cancelled: a worker that takes its
   * job from then on reads its status instead of assuming a first delivery is still queued.
   */
  announceCancel(runId: string): Promise<void>;
  /** Asks whichever process holds the run to stop it. */
  cancel(runId: string): Promise<void>;
}

export interface StartOptions {
  /** Aborting it (the client went away) cancels the run. */
  readonly signal?: AbortSignal;
  /** The target the caller resolved already (saves loading it again); must match `spec.target`. */
  readonly target?: RunTarget;
}

/** How a cancel request found the run. */
export type CancelOutcome = "cancelled" | "stopping" | "finished";

const TERMINAL = new Set(["succeeded", "partial-succeeded", "failed", "cancelled"]);

/**
 * @example
 * const runs = new RunService(runner, storage);
 * const handle = await runs.start(spec);
 * const result = await handle.result;
 */
export class RunService {
  /** Runs executing in this process, by id: what a cancel aborts. */
  readonly #live = new Map<string, AbortController>();
  #dispatcher: RunDispatcher | undefined;

  /**
   * @param options.events where the events of runs executed here are logged (what `GET …/events`
   *   streams and replays; in queue mode the Redis Stream every replica reads)
   */
  constructor(
    readonly runner: WorkflowRunner,
    private readonly storage: RunServiceStorage,
    private readonly options: { readonly events?: RunEventLog; readonly logger?: Logger } = {},
  ) {}

  /** Aborts a run if it executes in this process; true when it did. */
  abortLocal(runId: string): boolean {
    const live = this.#live.get(runId);
    live?.abort(new Error("run was cancelled"));
    return live !== undefined;
  }

  /** Sends submitted runs to `dispatcher` instead of executing them here (queue mode). */
  useDispatcher(dispatcher: RunDispatcher): void {
    this.#dispatcher = dispatcher;
  }

  /**
   * The spec's target as a graph to run: a 409 when it is gone or changed since it was submitted.
   * For a single-node debug run, that node alone.
   */
  async target(spec: RunSpec): Promise<RunTarget> {
    const target = await this.#storedTarget(spec);
    const debug = spec.debug_node;
    if (debug === undefined) return target;
    const compiled = this.runner.compile(target);
    const { cacheKey: _whole, ...rest } = target;
    return { ...rest, kind: "v2", graph: debugNodeWorkflow(compiled, debug.node_id, debug.inputs) };
  }

  async #storedTarget(spec: RunSpec): Promise<RunTarget> {
    const t = spec.target;
    if (t.kind === "version") {
      // A published version is read once per process; a draft (debug runs) each time, it changes.
      const version = await this.storage.workflowVersions.getVersionGraph(spec.bot_id, t.workflow_version_id);
      if (version === undefined) {
        throw new AppError(409, "workflow_changed", "the workflow version this run was submitted for is gone", {
          workflow_version_id: t.workflow_version_id,
        });
      }
      if (version.checksum !== t.checksum) {
        throw new AppError(409, "workflow_changed", "the workflow changed since this run was submitted", {
          workflow_version_id: t.workflow_version_id,
        });
      }
      return {
        kind: version.schemaVersion === 2 ? "v2" : "v1",
        graph: version.graph,
        workflowVersionId: version.id,
        checksum: version.checksum,
        cacheKey: `${version.id}@${version.checksum}`,
      };
    }
    const bot = await this.storage.bots.get(spec.bot_id);
    const graph = bot?.legacyWorkflow;
    if (bot === undefined || graph === null || graph === undefined || workflowChecksum(graph) !== t.checksum) {
      throw new AppError(409, "workflow_changed", "the V1 workflow changed since this run was submitted", {});
    }
    return { kind: "v1", graph, cacheKey: `legacy:${bot.id}:${bot.updatedAt.getTime()}` };
  }

  /** The spec target naming `target`, for a spec being built. */
  static targetSpec(target: RunTarget): RunSpec["target"] {
    if (target.workflowVersionId !== undefined) {
      return {
        kind: "version",
        workflow_version_id: target.workflowVersionId,
        checksum: target.checksum ?? workflowChecksum(target.graph),
      };
    }
    return { kind: "legacy", checksum: workflowChecksum(target.graph) };
  }

  /**
   * Validates the spec and its workflow (422 listing every problem), then writes the run row as
   * `queued` with the spec (`running` under this process's recorder with `startHere`, when it
   * executes here next). Nothing executes yet. Returns the run id.
   */
  async submit(
    spec: RunSpec,
    target?: RunTarget,
    options: { resumedFrom?: string; startHere?: boolean } = {},
  ): Promise<string> {
    if (this.runner.tracker.draining) throw new AppError(503, "service_unavailable", "the server is shutting down");
    const valid = parseRunSpec(spec);
    const compiled = this.runner.compile(target ?? (await this.target(valid)));
    if (valid.resume?.from_node !== undefined) nodeIndex(compiled, valid.resume.from_node);
    const runId = randomUUID();
    await this.storage.runSpecs.submit(
      {
        id: runId,
        botId: valid.bot_id,
        ...(valid.target.kind === "version" && { workflowVersionId: valid.target.workflow_version_id }),
        trigger: valid.trigger,
        ...(valid.session_id !== undefined && { sessionId: valid.session_id }),
        // the row shows attachments by metadata; the spec keeps their bytes for whoever executes it
        inputs: carriesFiles(valid) ? withFileMetadata(inputsOf(valid)) : inputsOf(valid),
        spec: valid,
        ...(options.resumedFrom !== undefined && { resumedFrom: options.resumedFrom }),
      },
      options.startHere === true ? { startHere: true } : {},
    );
    return runId;
  }

  /** Submits, then executes where runs execute (here, or on a worker); the handle streams it. */
  async start(spec: RunSpec, options: StartOptions = {}): Promise<RunHandle> {
    const target = options.target ?? (await this.target(spec));
    const runId = await this.submit(spec, target, {
      ...(spec.resume !== undefined && { resumedFrom: spec.resume.from_run }),
      // Executed here next: written `running` at once, so the engine's run start writes nothing.
      startHere: this.#dispatcher === undefined,
    });
    if (this.#dispatcher !== undefined) return this.#follow(this.#dispatcher, runId, spec, options.signal);
    return this.#run(runId, spec, target, false, options.signal);
  }

  /**
   * Executes a submitted run in this process. A run found `running` or `interrupted` (its
   * process died; the queue delivered it again) continues: its recorded succeeded nodes are not
   * run again. Undefined when the run is unknown or already finished.
   *
   * `spec`: the spec as submitted, when the caller has it (a queue job carries it): its target is
   * then read alongside the run's row, which is read for its status only. `queued`: with `spec`,
   * resolves true when the caller knows the run is still queued (a job's first delivery with no
   * cancel announced, see `RunDispatcher.announceCancel`): the row is then not read at all.
   * `claim`: with `spec` (a job's first delivery), the run is started straight from `queued` in
   * one conditional write (`PgRunRecorder.claimQueued`, once its target resolved): the row is
   * read only when it was not queued any more (delivered again, or cancelled: a cancel and a
   * claim cannot both win), and the engine's run start then writes nothing.
   */
  async execute(
    runId: string,
    options: { signal?: AbortSignal; spec?: unknown; queued?: Promise<boolean>; claim?: boolean } = {},
  ): Promise<RunHandle | undefined> {
    const carried = options.spec === undefined ? undefined : runSpecSchema.safeParse(options.spec).data;
    const carriedTarget = carried === undefined ? undefined : this.target(carried);
    carriedTarget?.catch(() => {}); // observed below, unless the run turns out finished
    const recorder = this.storage.recorder;
    const claimed =
      options.claim === true && carriedTarget !== undefined && recorder !== undefined
        ? // A target that fails leaves the run queued, recorded failed below.
          carriedTarget.then(
            () => recorder.claimQueued(runId),
            () => false,
          )
        : undefined;
    const known = carried !== undefined && (await (claimed ?? options.queued)) === true;
    const stored = known ? undefined : await this.storage.runSpecs.get(runId);
    if (!known && (stored === undefined || TERMINAL.has(stored.status))) return undefined;
    let spec: RunSpec;
    let target: RunTarget;
    try {
      spec = carried ?? parseRunSpec(stored?.spec);
      target = await (carriedTarget ?? this.target(spec));
    } catch (error) {
      if (!(error instanceof InvalidRunSpecError || error instanceof AppError)) throw error;
      const code = error instanceof AppError ? error.code : "invalid_run_spec";
      await this.#finishQueued(runId, { status: "failed", error: { message: error.message, code } });
      throw error;
    }
    const continuing = stored !== undefined && stored.status !== "queued";
    return this.#run(runId, spec, target, continuing, options.signal);
  }

  /**
   * Stops a run: a queued one is recorded `cancelled` at once; a running one is aborted in this
   * process, or (queue mode) on whichever worker holds it.
   */
  async cancel(runId: string): Promise<CancelOutcome> {
    if (this.abortLocal(runId)) return "stopping";
    // Before the row says cancelled: a worker taking the run's job from now on looks at its row first.
    await this.#dispatcher?.announceCancel(runId);
    if (await this.#finishQueued(runId, cancelledWhileQueued)) {
      await this.#dispatcher?.cancel(runId);
      return "cancelled";
    }
    const stored = await this.storage.runSpecs.get(runId);
    if (stored !== undefined && !TERMINAL.has(stored.status) && stored.status !== "interrupted") {
      await this.#dispatcher?.cancel(runId);
      return "stopping";
    }
    return "finished";
  }

  /**
   * Records a run that never started as finished, and logs its `run.finished`: whoever follows
   * it (a chat on another replica, `GET …/events`) learns it ended. False when it was not queued.
   */
  async #finishQueued(runId: string, outcome: QueuedOutcome): Promise<boolean> {
    if (!(await this.storage.runSpecs.finishQueued(runId, outcome))) return false;
    const now = Date.now();
    await this.options.events
      ?.append(runId, {
        type: "run.finished",
        runId,
        result: {
          runId,
          ...outcome,
          outputs: {},
          nodes: [],
          totals: { steps: 0, elapsedMs: 0, tokens: { input: 0, output: 0 } },
          startedAt: now,
          finishedAt: now,
        },
      })
      .catch((error: unknown) =>
        this.options.logger?.warn("could not log a run event", { runId, error: String(error) }),
      );
    return true;
  }

  /**
   * Follows a run a worker executes. The client going away cancels it; this server shutting down
   * (past its grace period) only lets go of it: the run goes on, and any replica streams it.
   */
  async #follow(
    dispatcher: RunDispatcher,
    runId: string,
    spec: RunSpec,
    signal: AbortSignal | undefined,
  ): Promise<RunHandle> {
    const letGo = new AbortController();
    const relay = await dispatcher.dispatch(runId, spec);
    // A queued run is recorded cancelled (its followers see it end); a running one stops on its worker.
    const cancel = () => letGo.signal.aborted || void this.cancel(runId).catch(() => {});
    if (signal?.aborted) cancel();
    else signal?.addEventListener("abort", cancel, { once: true });
    letGo.signal.addEventListener(
      "abort",
      () =>
        relay.fail(
          new AppError(503, "service_unavailable", "the server shut down; the run goes on (GET …/events streams it)", {
            run_id: runId,
          }),
        ),
      { once: true },
    );
    this.runner.tracker.track(relay.result, letGo);
    return relay;
  }

  async #run(
    runId: string,
    spec: RunSpec,
    target: RunTarget,
    continuing: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RunHandle> {
    const compiled = this.runner.compile(target);
    const conversation = await loadConversation(this.storage, compiled.workflow, spec.bot_id, spec.session_id);
    const earlier = await this.#resumePoint(runId, spec, compiled, continuing);
    const resume = spec.debug_node !== undefined ? debugNodeResume(earlier) : earlier;
    const controller = new AbortController();
    this.#live.set(runId, controller);
    const stop = signal !== undefined ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    const relay = new RelayRunHandle(runId);
    // A macrotask later: whoever awaits this handle attaches its listeners before the first event.
    setImmediate(() => {
      let handle: RunHandle;
      try {
        handle = this.runner.start(target, inputsOf(spec), {
          runId,
          signal: stop,
          conversation,
          system: { ...spec.system, bot_id: spec.bot_id },
          record: {
            botId: spec.bot_id,
            ...(target.workflowVersionId !== undefined && { workflowVersionId: target.workflowVersionId }),
            trigger: spec.trigger,
            ...(spec.session_id !== undefined && { sessionId: spec.session_id }),
          },
          ...(resume !== undefined && { resume }),
          // chat attachments are recorded by name, type, size and SHA-256, not their bytes
          ...(carriesFiles(spec) && {
            configureServices: (scope) => {
              const recorder = scope.tryResolve(Services.RunRecorder);
              if (recorder !== undefined) scope.register(Services.RunRecorder, fileMetadataRecorder(recorder));
            },
          }),
        });
      } catch (error) {
        this.#live.delete(runId);
        relay.fail(error);
        return;
      }
      relay.follow(handle, this.#logEvents(runId, handle));
      const forget = () => this.#live.delete(runId);
      handle.result.then(forget, forget);
    });
    return relay;
  }

  /** Tees the run's events into the event log, in order; the returned call waits until all are written. */
  #logEvents(runId: string, handle: RunHandle): (() => Promise<void>) | undefined {
    const events = this.options.events;
    if (events === undefined) return undefined;
    let written = Promise.resolve();
    for (const name of RUN_EVENT_NAMES) {
      handle.on(name, (event: RunEvent) => {
        // Sent at once: one connection keeps them in order, and they pipeline instead of taking a round trip each.
        const appended = events
          .append(runId, event)
          .catch((error: unknown) =>
            this.options.logger?.warn("could not log a run event", { runId, error: String(error) }),
          );
        written = written.then(() => appended);
      });
    }
    return () => written;
  }

  /** What an earlier attempt (the resumed run, or this run's own records) finished and need not run again. */
  async #resumePoint(
    runId: string,
    spec: RunSpec,
    compiled: CompiledWorkflow,
    continuing: boolean,
  ): Promise<ResumePoint | undefined> {
    const sources: { runId: string; fromNode?: string }[] = [];
    if (spec.resume !== undefined) {
      sources.push({
        runId: spec.resume.from_run,
        ...(spec.resume.from_node !== undefined && { fromNode: spec.resume.from_node }),
      });
    }
    if (continuing) sources.push({ runId });
    if (sources.length === 0) return undefined;
    const completed = new Map<string, ResumePoint["completed"][number]>();
    let stepOffset = 0;
    for (const source of sources) {
      const rerun = source.fromNode === undefined ? new Set<string>() : downstreamOf(compiled, source.fromNode);
      for (const node of await this.storage.runSpecs.recordedNodes(source.runId)) {
        stepOffset = Math.max(stepOffset, node.stepIndex);
        if (!isReusable(node) || rerun.has(node.nodeId)) continue;
        completed.set(node.nodeId, {
          nodeId: node.nodeId,
          outputs: node.outputs,
          ...(node.branch !== null && { branch: node.branch }),
          ...(node.handledBy !== null && { handledBy: node.handledBy }),
        });
      }
    }
    return { completed: [...completed.values()], stepOffset };
  }
}

type QueuedOutcome = { readonly status: "cancelled" | "failed"; readonly error: { message: string; code: string } };

const cancelledWhileQueued = {
  status: "cancelled",
  error: { message: "run was cancelled before it started", code: "CANCELLED" },
} as const;

function carriesFiles(spec: RunSpec): boolean {
  const { files } = spec.inputs;
  return Array.isArray(files) && files.length > 0;
}

/** The start node's inputs: the spec's, over the history it answers with. */
function inputsOf(spec: RunSpec): Record<string, unknown> {
  return { [HISTORY_INPUT]: spec.history, ...spec.inputs };
}

function nodeIndex(compiled: CompiledWorkflow, nodeId: string): number {
  const node = compiled.nodes.find((n) => n.id === nodeId);
  if (node === undefined) {
    throw new AppError(400, "validation_error", `invalid request: body.from_node: no top-level node "${nodeId}"`, {
      issues: [{ path: "body.from_node", message: `no top-level node "${nodeId}" in the workflow` }],
    });
  }
  return node.index;
}

/**
 * Whether a resume can restore a recorded node instead of running it: a top-level node that
 * succeeded (or whose failure its error strategy handled). Body rounds re-run with their
 * container; a truncated value cannot be restored whole.
 */
export function isReusable(node: RecordedNode): boolean {
  return node.parentNodeId === null && !node.truncated && (node.status === "succeeded" || node.handledBy !== null);
}

/** `nodeId` and every node downstream of it, by id (a 400 naming `body.from_node` when it is no top-level node). */
export function downstreamOf(compiled: CompiledWorkflow, nodeId: string): Set<string> {
  const seen = new Set<number>();
  const stack = [nodeIndex(compiled, nodeId)];
  while (stack.length > 0) {
    const index = stack.pop() as number;
    if (seen.has(index)) continue;
    seen.add(index);
    for (const edge of compiled.nodes[index]?.outgoing ?? []) stack.push(edge.target);
  }
  return new Set([...seen].map((i) => compiled.nodes[i]?.id as string));
}
