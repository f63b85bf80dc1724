import type { EventEmitter } from "eventemitter3";
import type { RunEventListeners, RunEventMap, RunEventName } from "./run-events.ts";
import type { NodeRunRecord, RecordingError } from "./run-result.ts";
import type { Logger, RunRecorder } from "./services.ts";

export function errorInfo(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? { message: error.message, code } : { message: error.message };
  }
  return { message: String(error) };
}

/**
 * What one run has recorded and announced, shared by the run and every sub-graph round in it:
 * node records in finishing order, token totals, the ordered recorder writes, and event delivery.
 *
 * With a recorder, an event never overtakes a write queued before it: a `node.finished` reaches
 * listeners only once that node's record is stored, `run.started` once the run row exists, and
 * events in between keep their order. Without one (or with nothing in flight) delivery is
 * immediate. A failed write calls `onWriteFailed` once; after it only `run.finished` is delivered.
 */
export class RunJournal {
  readonly records: NodeRunRecord[] = [];
  readonly recordingErrors: RecordingError[] = [];
  tokensIn = 0;
  tokensOut = 0;
  /** Node executions started, across the run and its sub-graphs (retries count once). */
  steps = 0;
  /** Failures an error strategy handled: the run ends `partial-succeeded`. */
  handledFailures = 0;
  #recording: Promise<void> = Promise.resolve();
  /** Writes and delayed events queued on `#recording` and not yet done. */
  #inFlight = 0;
  #failed = false;
  /** Step indexes already used by an earlier attempt of this run (a resume continues after them). */
  stepOffset = 0;

  constructor(
    readonly runId: string,
    readonly emitters: readonly EventEmitter<RunEventListeners>[],
    readonly recorder: RunRecorder | undefined,
    readonly logger: Logger,
    readonly onWriteFailed: (message: string) => void,
  ) {}

  get recordingFailed(): boolean {
    return this.#failed;
  }

  /** Settles once every write and event queued so far is done. */
  get settled(): Promise<void> {
    return this.#recording;
  }

  emit<K extends RunEventName>(name: K, make: () => RunEventMap[K]): void {
    if (this.#inFlight === 0) {
      if (!this.#failed || name === "run.finished") this.#dispatch(name, make);
      return;
    }
    this.#inFlight++;
    this.#recording = this.#recording.then(() => {
      this.#inFlight--;
      if (this.#failed && name !== "run.finished") return;
      try {
        this.#dispatch(name, make);
      } catch (error) {
        this.logger.error("run event listener threw", { runId: this.runId, error: errorInfo(error).message });
      }
    });
  }

  #dispatch<K extends RunEventName>(name: K, make: () => RunEventMap[K]): void {
    let event: RunEventMap[K] | undefined;
    for (const emitter of this.emitters) {
      if (emitter.listenerCount(name) === 0) continue;
      event ??= make();
      (emitter.emit as (n: K, e: RunEventMap[K]) => boolean)(name, event);
    }
  }

  /** Queues a recorder write after every write and event before it. */
  write(write: () => Promise<void> | undefined): void {
    this.#inFlight++;
    this.#recording = this.#recording.then(write).then(
      () => {
        this.#inFlight--;
      },
      (error: unknown) => {
        this.#inFlight--;
        const info = errorInfo(error);
        const message = info.message;
        this.recordingErrors.push(info);
        this.logger.error("run recorder failed", { runId: this.runId, error: message });
        if (this.#failed) return;
        this.#failed = true;
        this.onWriteFailed(message);
      },
    );
  }

  /** The step index of the next record: 1-based, continuing after a resumed run's earlier ones. */
  nextStepIndex(): number {
    return this.stepOffset + this.records.length + 1;
  }

  /** Keeps a node's record and queues its row. */
  commit(record: NodeRunRecord): void {
    this.records.push(record);
    this.tokensIn += record.tokens.input;
    this.tokensOut += record.tokens.output;
    const recorder = this.recorder;
    if (!recorder) return;
    const runId = this.runId;
    // After a failed write the run is failing; its remaining node rows would fail the same way.
    this.write(() =>
      this.#failed
        ? undefined
        : recorder.nodeFinished({
            ...record,
            runId,
            startedAt: new Date(record.startedAt),
            finishedAt: new Date(record.finishedAt),
          }),
    );
  }
}
