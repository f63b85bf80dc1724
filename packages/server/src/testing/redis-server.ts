/**
 * Starts a throw-away `redis-server` on a random loopback port, with no persistence, for tests.
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";

export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Kills the server (SIGKILL: connections drop, nothing is flushed) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port after `kill`, empty. */
  startAgain(): Promise<void>;
  stop(): Promise<void>;
}

function findBinary(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (data: Buffer) => {
      output += data.toString();
      if (output.includes("Ready to accept connections")) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => fail(new Error(`redis-server exited with ${code}:\n${output}`));
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
    }
    function fail(error: Error) {
      cleanup();
      reject(error);
    }
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Starts redis-server, or returns undefined (with a notice) when it is not installed.
 * Under `CI=true` a missing binary throws: CI must run the Redis tests.
 *
 * @example
 * const redis = await startRedisServer();
 * if (redis) { ...; await redis.stop(); }
 */
export async function startRedisServer(): Promise<RedisServer | undefined> {
  const binary = findBinary();
  if (binary === undefined) {
    const message = "redis-server is not installed (run scripts/ci/install-redis.sh as root)";
    if (process.env.CI === "true") throw new Error(`${message}; it is required when CI=true`);
    console.warn(`notice: ${message}; skipping the tests that need Redis`);
    return undefined;
  }
  const spawnOn = (port: number) =>
    spawn(
      binary,
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
  const ended = (child: ChildProcess, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let child = spawnOn(port);
    try {
      await waitForReady(child, 10_000);
    } catch (error) {
      child.kill("SIGKILL");
      if (attempt < 2) continue; // the port may have been taken in between
      throw error;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      url: `redis://127.0.0.1:${port}`,
      kill: () => ended(child, "SIGKILL"),
      async startAgain() {
        child = spawnOn(port);
        await waitForReady(child, 10_000);
        child.stdout?.resume();
        child.stderr?.resume();
      },
      stop: () => ended(child, "SIGTERM"),
    };
  }
}
