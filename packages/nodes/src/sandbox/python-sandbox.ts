import { type ChildProcess, fork } from "node:child_process";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SandboxError, type SandboxErrorCode } from "./sandbox-error.ts";
import type { SandboxLimits } from "./sandbox-limits.ts";

/** One Python call: code defining `main`, and its inputs as JSON. */
export interface PythonJob {
  readonly code: string;
  readonly inputsJson: string;
  readonly limits: SandboxLimits;
}

/** What a successful call produced. */
export interface PythonResult {
  /** The JSON of the dict `main` returned. */
  readonly json: string;
  /** What the code printed (stdout and stderr), cut at 16 KiB. */
  readonly output: string;
}

/** Options of {@link PythonSandbox}. */
export interface PythonSandboxOptions {
  /** How long loading the interpreter may take before the call fails. Default 60 s. */
  readonly loadTimeoutMs?: number;
  /** JavaScript heap of the child process, in MiB (Python's own heap is capped per call). Default 256. */
  readonly childHeapMb?: number;
}

type Reply =
  | { ready: true; loadMs: number; heapBytes: number }
  | {
      id: number;
      ok: boolean;
      value?: string;
      code?: string;
      message?: string;
      line?: number;
      output?: string;
      tainted?: boolean;
      heapBytes?: number;
    };

interface Child {
  readonly process: ChildProcess;
  readonly ready: Promise<void>;
}

const requireHere = createRequire(import.meta.url);

function packageDir(fromFile: string, name: string): string {
  const entry = realpathSync(createRequire(fromFile).resolve(`${name}/package.json`));
  return dirname(entry);
}

/** The files the child may read: its own entry, the harness, Pyodide and Pyodide's `ws`. */
function childFiles() {
  const pyodideDir = dirname(realpathSync(requireHere.resolve("pyodide/pyodide.mjs")));
  const wsDir = packageDir(join(pyodideDir, "pyodide.mjs"), "ws");
  const entry = fileURLToPath(new URL("./python-child.mjs", import.meta.url));
  const harness = fileURLToPath(new URL("./python-harness.py", import.meta.url));
  return { pyodideDir, wsDir, entry, harness };
}

// Node 20 and 22 name the permission model `--experimental-permission`; later versions `--permission`.
const PERMISSION_FLAG = process.allowedNodeEnvironmentFlags.has("--permission")
  ? "--permission"
  : "--experimental-permission";

/**
 * Runs Python in Pyodide in a locked-down child process, one call at a time. The interpreter
 * loads once (seconds) and stays warm; a call that runs past its time limit or is cancelled
 * kills the process, and a fresh one starts in the background for later calls. A call that
 * changes interpreter state later calls would see (a patched module, an import hook, a tracer)
 * gets its result, and the process is replaced too.
 *
 * Why a process and not a worker thread: Python reaches JavaScript objects through Pyodide's
 * bridge, so the JavaScript realm must be harmless. Only a process can be started without code
 * generation from strings and under Node's permission model; a worker accepts neither flag.
 *
 * @example
 * const python = new PythonSandbox();
 * void python.warmUp(); // at server start, off the request path
 * const { json } = await python.run({ code: "def main(a):\n    return {'b': a + 1}", inputsJson: '{"a":1}',
 *   limits: { time_ms: 5000, memory_mb: 64 } }, signal);
 */
export class PythonSandbox {
  readonly #loadTimeoutMs: number;
  readonly #childHeapMb: number;
  #child: Child | undefined;
  #queue: Promise<void> = Promise.resolve();
  #nextId = 1;
  #loads = 0;
  #lastLoadMs: number | undefined;

  constructor(options: PythonSandboxOptions = {}) {
    this.#loadTimeoutMs = options.loadTimeoutMs ?? 60_000;
    this.#childHeapMb = options.childHeapMb ?? 256;
  }

  /** How many times an interpreter was loaded (one, until a call had to kill one). */
  get loads(): number {
    return this.#loads;
  }

  /** How long the last interpreter took to load, in ms. */
  get lastLoadMs(): number | undefined {
    return this.#lastLoadMs;
  }

  /** The child's process id, while one runs (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#child?.process.pid;
  }

  /** Loads the interpreter now, so that the first call does not wait for it. */
  async warmUp(): Promise<void> {
    await this.#ensureChild().ready;
  }

  /** Runs one call after the calls before it. Rejects with a {@link SandboxError} or the signal's reason. */
  run(job: PythonJob, signal: AbortSignal): Promise<PythonResult> {
    const prior = this.#queue;
    let finished!: () => void;
    const mine = new Promise<void>((resolve) => {
      finished = resolve;
    });
    // the next call waits for this one to end; this one stops waiting as soon as it is cancelled
    this.#queue = prior.then(() => mine);
    return abortable(prior, signal, () => {})
      .then(() => this.#runNow(job, signal))
      .finally(finished);
  }

  /** Stops the child process. */
  close(): void {
    this.#kill();
  }

  async #runNow(job: PythonJob, signal: AbortSignal): Promise<PythonResult> {
    signal.throwIfAborted();
    const child = this.#ensureChild();
    await abortable(child.ready, signal, () => {});
    signal.throwIfAborted();
    const id = this.#nextId++;
    return new Promise<PythonResult>((resolve, reject) => {
      const settle = (done: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        child.process.off("message", onMessage);
        child.process.off("exit", onExit);
        done();
      };
      const replace = () => {
        this.#kill();
        // start the next interpreter now: it takes seconds
        this.warmUp().catch(() => {});
      };
      const onMessage = (reply: Reply) => {
        if (!("id" in reply) || reply.id !== id) return;
        if (reply.tainted || reply.code === "SANDBOX_CRASHED") replace();
        if (reply.ok && typeof reply.value === "string") {
          const value = reply.value;
          return settle(() => resolve({ json: value, output: reply.output ?? "" }));
        }
        const code = (reply.code ?? "CODE_ERROR") as SandboxErrorCode;
        settle(() => reject(new SandboxError(code, reply.message ?? "the Python code failed", reply.line)));
      };
      const onExit = () => {
        if (this.#child === child) this.#child = undefined;
        this.warmUp().catch(() => {});
        settle(() =>
          reject(new SandboxError("SANDBOX_CRASHED", "the Python sandbox stopped (out of memory or a crash)")),
        );
      };
      const onAbort = () => {
        replace();
        settle(() => reject(signal.reason));
      };
      const timer = setTimeout(() => {
        replace();
        settle(() =>
          reject(new SandboxError("SANDBOX_TIMEOUT", `timed out after ${job.limits.time_ms} ms (time limit)`)),
        );
      }, job.limits.time_ms);
      signal.addEventListener("abort", onAbort, { once: true });
      child.process.on("message", onMessage);
      child.process.once("exit", onExit);
      child.process.send({
        id,
        code: job.code,
        inputsJson: job.inputsJson,
        memoryBytes: job.limits.memory_mb * 2 ** 20,
      });
    });
  }

  #ensureChild(): Child {
    if (this.#child) return this.#child;
    const files = childFiles();
    const processHandle = fork(
      files.entry,
      [JSON.stringify({ pyodideDir: files.pyodideDir, harnessPath: files.harness })],
      {
        execPath: process.execPath,
        execArgv: [
          "--disallow-code-generation-from-strings",
          PERMISSION_FLAG,
          `--allow-fs-read=${files.entry}`,
          `--allow-fs-read=${files.harness}`,
          `--allow-fs-read=${files.pyodideDir}/*`,
          `--allow-fs-read=${files.wsDir}/*`,
          `--max-old-space-size=${this.#childHeapMb}`,
          "--no-warnings",
        ],
        env: {},
        stdio: ["ignore", "ignore", "pipe", "ipc"],
        serialization: "json",
      },
    );
    processHandle.unref();
    processHandle.channel?.unref();
    // the last words of a child that fails to load, for the error message
    let stderr = "";
    processHandle.stderr?.setEncoding("utf8");
    processHandle.stderr?.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-2_000);
    });
    (processHandle.stderr as { unref?: () => void } | null)?.unref?.();
    this.#loads++;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#kill();
        reject(new SandboxError("SANDBOX_CRASHED", `the Python sandbox did not load within ${this.#loadTimeoutMs} ms`));
      }, this.#loadTimeoutMs);
      const onMessage = (reply: Reply) => {
        if (!("ready" in reply)) return;
        clearTimeout(timer);
        processHandle.off("message", onMessage);
        this.#lastLoadMs = reply.loadMs;
        resolve();
      };
      processHandle.on("message", onMessage);
      processHandle.once("exit", (code) => {
        clearTimeout(timer);
        if (this.#child?.process === processHandle) this.#child = undefined;
        const detail = stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).join(" / ")}` : "";
        reject(new SandboxError("SANDBOX_CRASHED", `the Python sandbox exited while loading (code ${code})${detail}`));
      });
    });
    ready.catch(() => {});
    this.#child = { process: processHandle, ready };
    return this.#child;
  }

  #kill(): void {
    const child = this.#child;
    this.#child = undefined;
    child?.process.kill("SIGKILL");
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
