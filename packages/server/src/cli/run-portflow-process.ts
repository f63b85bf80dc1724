/**
 * Runs the real `portflow` binary in a child process, for the CLI's end-to-end tests.
 * @module
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Path of `bin/portflow.js`. */
export const PORTFLOW_BIN = fileURLToPath(new URL("../../bin/portflow.js", import.meta.url));

export interface PortflowProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `node bin/portflow.js …args` against the embedded database in `dataDir`, on the offline local
 * providers (a `DATABASE_URL` or AWS configuration in the caller's environment is ignored).
 */
export function runPortflowProcess(
  args: readonly string[],
  options: {
    readonly dataDir: string;
    readonly env?: Readonly<Record<string, string>>;
    readonly timeoutMs?: number;
    /** Written to the command's standard input, which is then closed. */
    readonly stdin?: string;
  },
): Promise<PortflowProcessResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    // Our own timer, not execFile's: a child that exits 0 on its SIGTERM must not read as success.
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    const child = execFile(
      process.execPath,
      [PORTFLOW_BIN, ...args],
      {
        env: {
          ...process.env,
          PORTFLOW_DATA_DIR: options.dataDir,
          LLM_PROVIDER: "local",
          DATABASE_URL: "",
          REDIS_URL: "",
          NO_COLOR: "1",
          ...options.env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new Error(`portflow ${args.join(" ")} did not finish within ${timeoutMs} ms\n${stderr}`));
          return;
        }
        if (error !== null && typeof error.code !== "number") {
          reject(new Error(`portflow ${args.join(" ")} did not finish: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}
