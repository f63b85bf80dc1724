/**
 * A real `portflow worker` process for tests: the CLI's own entry point (through tsx when run
 * from the sources, plain JavaScript from the build or with `fromBuild`), started with the
 * queue's Redis and the shared database, and resolved once it prints its ready line.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ChildEntryOptions } from "./server-process.ts";

export interface WorkerProcessOptions extends ChildEntryOptions {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** `PORTFLOW_QUEUE_LOCK_MS`: how soon a dead worker's run is delivered again (default the setting's, 30 s). */
  readonly lockMs?: number;
  /** `--concurrency` (default the command's, 4). */
  readonly concurrency?: number;
  /** More environment (over this process's), e.g. `PORTFLOW_HTTP_ALLOW`, `LOG_LEVEL`. */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the ready line (default 60 s). */
  readonly timeoutMs?: number;
}

/** How a process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles once the process is gone. */
  readonly exited: Promise<ProcessExit>;
  /** Everything it wrote so far: stdout (its ready line and pino log), then stderr. */
  output(): string;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** Sends `signal` (SIGKILL: a crash, nothing is cleaned up) and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<ProcessExit>;
  /** SIGTERM (finish the runs in progress, then exit), and the exit once it is gone. */
  stop(): Promise<ProcessExit>;
}

const FROM_SOURCE = import.meta.url.endsWith(".ts");
const MAIN = fileURLToPath(new URL(FROM_SOURCE ? "../cli/main.ts" : "../cli/main.js", import.meta.url));
const NODE_ARGS = FROM_SOURCE ? ["--import", "tsx", "--conditions=source", MAIN] : [MAIN];
const BUILT_MAIN = fileURLToPath(new URL(FROM_SOURCE ? "../../dist/cli/main.js" : "../cli/main.js", import.meta.url));

/**
 * Starts `portflow worker` in a child process.
 *
 * @example
 * const worker = await startWorkerProcess({ databaseUrl, redisUrl, lockMs: 1_000 });
 * await worker.kill("SIGKILL");
 */
export function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const args = [...(options.fromBuild === true ? [BUILT_MAIN] : NODE_ARGS), "worker"];
  if (options.concurrency !== undefined) args.push("--concurrency", String(options.concurrency));
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      LOG_LEVEL: "warn",
      ...options.env,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      ...(options.lockMs !== undefined && { PORTFLOW_QUEUE_LOCK_MS: String(options.lockMs) }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const kill = (signal: NodeJS.Signals) => {
    if (!gone()) child.kill(signal);
    return exited;
  };
  const worker: WorkerProcess = {
    child,
    pid: child.pid ?? -1,
    exited,
    output: () => `${stdout}${stderr}`,
    stderr: () => stderr,
    kill,
    stop: () => kill("SIGTERM"),
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`worker process did not start within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    const onData = () => {
      // the command's own line, not one of its pino lines (JSON too)
      if (!stdout.split("\n").some((line) => line.startsWith('{"worker":"ready"'))) return;
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      resolve(worker);
    };
    child.stdout?.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited (${code ?? signal}) before it was ready:\n${stdout}${stderr}`));
    });
  });
}
