import { Worker } from "node:worker_threads";
import { SandboxError, type SandboxErrorCode } from "./sandbox-error.ts";
import type { SandboxLimits } from "./sandbox-limits.ts";

/** One evaluation: user JavaScript defining `main`, or a Jinja template. */
export interface QuickJsJob {
  readonly kind: "code" | "template";
  readonly source: string;
  /** The inputs, already JSON: nothing else crosses into the sandbox. */
  readonly inputsJson: string;
  readonly limits: SandboxLimits;
}

/** Options of {@link QuickJsSandbox}. */
export interface QuickJsSandboxOptions {
  /** Worker threads evaluating at once; further calls wait. Default 2. */
  readonly workers?: number;
}

type Reply =
  | { id: number; ok: true; value: string }
  | { id: number; ok: false; code: string; message: string; line?: number };

interface Slot {
  readonly worker: Worker;
  readonly cancelFlag: Int32Array;
  readonly ready: Promise<void>;
  busy: boolean;
}

// How long past its deadline (or a cancel) a job may take to stop before its worker is terminated.
const HARD_STOP_GRACE_MS = 500;

/**
 * Runs {@link QuickJsJob}s in QuickJS on a small pool of worker threads, off the event loop, so
 * a busy sandbox never blocks the server and a cancelled one stops within milliseconds (the
 * worker's interrupt handler reads a shared flag). A worker that does not stop in time is
 * terminated and replaced.
 *
 * @example
 * const sandbox = new QuickJsSandbox();
 * const json = await sandbox.run({ kind: "code", source: "function main({a}) { return {b: a + 1} }",
 *   inputsJson: '{"a":1}', limits: { time_ms: 5000, memory_mb: 64 } }, signal);
 */
export class QuickJsSandbox {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #waiting: Array<() => void> = [];
  #nextId = 1;

  constructor(options: QuickJsSandboxOptions = {}) {
    this.#size = Math.max(1, options.workers ?? 2);
  }

  /** Starts the workers now rather than on the first call. */
  async warmUp(): Promise<void> {
    while (this.#slots.length < this.#size) this.#slots.push(this.#spawn());
    await Promise.all(this.#slots.map((s) => s.ready));
  }

  /** Evaluates one job; resolves with the JSON (code) or text (template) it produced. */
  async run(job: QuickJsJob, signal: AbortSignal): Promise<string> {
    signal.throwIfAborted();
    const slot = await this.#acquire(signal);
    try {
      await slot.ready;
      signal.throwIfAborted();
      return await this.#runOn(slot, job, signal);
    } finally {
      slot.busy = false;
      this.#waiting.shift()?.();
    }
  }

  /** Terminates every worker. */
  async close(): Promise<void> {
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #runOn(slot: Slot, job: QuickJsJob, signal: AbortSignal): Promise<string> {
    const id = this.#nextId++;
    Atomics.store(slot.cancelFlag, 0, 0);
    return new Promise<string>((resolve, reject) => {
      let hardStop: NodeJS.Timeout | undefined;
      const settle = (done: () => void) => {
        clearTimeout(deadline);
        clearTimeout(hardStop);
        signal.removeEventListener("abort", onAbort);
        slot.worker.off("message", onMessage);
        slot.worker.off("error", onError);
        slot.worker.off("exit", onExit);
        done();
      };
      const replace = () => {
        const index = this.#slots.indexOf(slot);
        if (index >= 0) this.#slots.splice(index, 1);
        void slot.worker.terminate();
      };
      const stopHard = (error: unknown) => {
        hardStop = setTimeout(() => {
          replace();
          settle(() => reject(error));
        }, HARD_STOP_GRACE_MS);
      };
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        if (reply.ok) return settle(() => resolve(reply.value));
        if (reply.code === "SANDBOX_CANCELLED" && signal.aborted) return settle(() => reject(signal.reason));
        settle(() => reject(new SandboxError(reply.code as SandboxErrorCode, reply.message, reply.line)));
      };
      const onError = (error: Error) => {
        replace();
        settle(() => reject(new SandboxError("SANDBOX_CRASHED", `the JavaScript sandbox stopped: ${error.message}`)));
      };
      const onExit = () => onError(new Error("worker exited"));
      const onAbort = () => {
        Atomics.store(slot.cancelFlag, 0, 1);
        stopHard(signal.reason);
      };
      // The worker's interrupt handler enforces the deadline; this catches a worker that cannot.
      const deadline = setTimeout(
        () => stopHard(new SandboxError("SANDBOX_TIMEOUT", `timed out after ${job.limits.time_ms} ms (time limit)`)),
        job.limits.time_ms,
      );
      signal.addEventListener("abort", onAbort, { once: true });
      slot.worker.on("message", onMessage);
      slot.worker.once("error", onError);
      slot.worker.once("exit", onExit);
      slot.worker.postMessage({
        id,
        kind: job.kind,
        source: job.source,
        inputsJson: job.inputsJson,
        timeMs: job.limits.time_ms,
        memoryBytes: job.limits.memory_mb * 2 ** 20,
      });
    });
  }

  async #acquire(signal: AbortSignal): Promise<Slot> {
    for (;;) {
      const free = this.#slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      if (this.#slots.length < this.#size) {
        const slot = this.#spawn();
        slot.busy = true;
        this.#slots.push(slot);
        return slot;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = this.#waiting.indexOf(wake);
          if (index >= 0) this.#waiting.splice(index, 1);
          reject(signal.reason);
        };
        const wake = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
        this.#waiting.push(wake);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  #spawn(): Slot {
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(new URL("./quickjs-worker.mjs", import.meta.url), {
      workerData: { cancelFlag },
      // QuickJS's own heap is wasm memory, bounded per job by its memory limit.
      resourceLimits: { maxOldGenerationSizeMb: 64, stackSizeMb: 4 },
      env: {},
      stdout: true,
      stderr: true,
    });
    worker.unref();
    const ready = new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
    });
    const slot: Slot = { worker, cancelFlag, ready, busy: false };
    ready.catch(() => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
    });
    return slot;
  }
}
