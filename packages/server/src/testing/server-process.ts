import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface ServerProcess {
  readonly url: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Settles with the exit code (null when killed by a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
  /** Everything the process wrote so far, stdout (its pino log) and stderr. */
  output(): string;
  /** SIGTERM, then the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

// From the sources (vitest) the child runs the TypeScript entry through tsx; from the build, plain JavaScript.
const FROM_SOURCE = import.meta.url.endsWith(".ts");
const MAIN = fileURLToPath(
  new URL(FROM_SOURCE ? "./server-process-main.ts" : "./server-process-main.js", import.meta.url),
);
const NODE_ARGS = FROM_SOURCE ? ["--import", "tsx", "--conditions=source", MAIN] : [MAIN];
// The build's entry, from the sources as from the build (`pnpm build`; vitest's global setup runs it).
const BUILT_MAIN = FROM_SOURCE ? "../../dist/testing/server-process-main.js" : "./server-process-main.js";

/** Which entry a test child process runs. */
export interface ChildEntryOptions {
  /**
   * Run the build's JavaScript even from the sources: starts in a fraction of tsx's time (tests
   * that start many processes). Default false: the sources under test.
   */
  readonly fromBuild?: boolean;
}

/**
 * Starts `startServer` in a child process (through tsx when run from the sources) with `env` added to this process's
 * environment, and resolves with its URL once it listens.
 */
export function startServerProcess(
  env: Readonly<Record<string, string>>,
  timeoutMs = 60_000,
  options: ChildEntryOptions = {},
): Promise<ServerProcess> {
  const args = options.fromBuild === true ? [fileURLToPath(new URL(BUILT_MAIN, import.meta.url))] : NODE_ARGS;
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stdout = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server process did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      // the line main writes, not one of the server's pino log lines (JSON too)
      const url = stdout
        .split("\n")
        .map((l) => /^\{"url":"([^"]+)"/.exec(l)?.[1])
        .find((u) => u !== undefined);
      if (url === undefined) return;
      clearTimeout(timer);
      resolve({
        url,
        child,
        pid: child.pid ?? -1,
        exited,
        output: () => `${stdout}${stderr}`,
        stop: () => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server process exited with ${code}:\n${stderr}`));
    });
  });
}

/** The environment of an API replica in queue mode: runs go to `portflow worker` processes through `redisUrl`. */
export function queueModeEnv(urls: {
  readonly databaseUrl: string;
  readonly redisUrl: string;
}): Record<string, string> {
  return { PORTFLOW_EXECUTION: "queue", DATABASE_URL: urls.databaseUrl, REDIS_URL: urls.redisUrl };
}
