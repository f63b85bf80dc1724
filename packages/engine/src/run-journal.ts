import type { EventEmitter } from "eventemitter3";
import type { RunEventListeners, RunEventMap, RunEventName } from "./run-events.ts";
import type { NodeRunRecord, RecordingError } from "./run-result.ts";
import type { Logger, RecorderWrite, RunRecorder, RunStartRecord } from "./services.ts";

/** A write the journal queues for the recorder. */
export type JournalWrite = RecorderWrite | { readonly kind: "start"; readonly run: RunStartRecord };

interface QueuedWrite {
  readonly write: JournalWrite;
  readonly index: number;
}

/** The batch as `writeMany` takes it, or undefined when it holds a run start (always sent alone first). */
function manyOf(batch: readonly QueuedWrite[]): RecorderWrite[] | undefined {
  const many: RecorderWrite[] = [];
  for (const { write } of batch) {
    if (write.kind === "start") return undefined;
    many.push(write);
  }
  return many;
}

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
  /** The batch of writes queued and not yet sent: a new write joins it. */
  #open: QueuedWrite[] | undefined;
  /** Writes queued so far; each write's index is its place in that order. */
  #writesQueued = 0;
  /** The index of the first write that failed. */
  #failedAt: number | undefined;
  /** Writes and delayed events queued on `#recording` and not yet done. */
  #inFlight = 0;
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
    return this.#failedAt !== undefined;
  }

  /** Settles once every write and event queued so far is done. */
  get settled(): Promise<void> {
    return this.#recording;
  }

  emit<K extends RunEventName>(name: K, make: () => RunEventMap[K]): void {
    if (this.#inFlight === 0) {
      if (!this.recordingFailed || name === "run.finished") this.#dispatch(name, make);
      return;
    }
    this.#inFlight++;
    const writesBefore = this.#writesQueued;
    this.#recording = this.#recording.then(() => {
      this.#inFlight--;
      // Held back only by a failed write queued before it (a later one in the same batch does not count).
      if (this.#failedAt !== undefined && this.#failedAt < writesBefore && name !== "run.finished") return;
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

  /**
   * Queues a recorder write after every write and event before it. Writes queued while another is
   * in flight go together in one batch (one
   * `writeMany` call when the recorder has it): a run's last node rows and its finish are one
   * round trip. Events queued between them wait for the whole batch, so none overtakes its write.
   */
  write(write: JournalWrite): void {
    const queued = { write, index: this.#writesQueued++ };
    const open = this.#open;
    if (open !== undefined) {
      open.push(queued);
      return;
    }
    const batch: QueuedWrite[] = [queued];
    this.#open = batch;
    this.#inFlight++;
    // Sent as soon as the writes before it are done (not a macrotask later: a write held back
    // for company delays every event queued behind it).
    this.#recording = this.#recording
      .then(() => {
        if (this.#open === batch) this.#open = undefined;
        return this.#send(batch);
      })
      .then(
        () => {
          this.#inFlight--;
        },
        (error: unknown) => {
          this.#inFlight--;
          this.#writeFailed(error, queued.index);
        },
      );
  }

  /** Sends a batch: in one `writeMany` when it can; one write at a time if that fails or is not there. */
  async #send(batch: readonly QueuedWrite[]): Promise<void> {
    const recorder = this.recorder;
    if (recorder === undefined) return;
    const many = batch.length > 1 && recorder.writeMany !== undefined ? manyOf(batch) : undefined;
    if (many !== undefined && !this.recordingFailed) {
      try {
        await recorder.writeMany?.(many);
        return;
      } catch {
        // Replayed one by one below: the failing write is found and reported, the finish still tried.
      }
    }
    for (const { write, index } of batch) {
      // After a failed write the run is failing: its remaining node rows would fail the same way,
      // but its outcome is still written.
      if (this.recordingFailed && write.kind !== "finish") continue;
      try {
        if (write.kind === "start") await recorder.runStarted(write.run);
        else if (write.kind === "node") await recorder.nodeFinished(write.node);
        else await recorder.runFinished(write.run);
      } catch (error) {
        this.#writeFailed(error, index);
      }
    }
  }

  #writeFailed(error: unknown, index: number): void {
    const info = errorInfo(error);
    this.recordingErrors.push(info);
    this.logger.error("run recorder failed", { runId: this.runId, error: info.message });
    if (this.#failedAt !== undefined) return;
    this.#failedAt = index;
    this.onWriteFailed(info.message);
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
    if (!this.recorder) return;
    this.write({
      kind: "node",
      node: {
        ...record,
        runId: this.runId,
        startedAt: new Date(record.startedAt),
        finishedAt: new Date(record.finishedAt),
      },
    });
  }
}
