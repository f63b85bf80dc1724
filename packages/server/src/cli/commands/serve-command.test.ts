import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PORTFLOW_BIN } from "../run-portflow-process.ts";

interface Served {
  readonly url: string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `portflow serve` (the built bin) on an in-memory database, once it says where it listens. */
async function serve(env: Readonly<Record<string, string>> = {}): Promise<Served> {
  const child = spawn(process.execPath, [PORTFLOW_BIN, "serve", "--port", "0", "--host", "127.0.0.1"], {
    env: {
      ...process.env,
      PORTFLOW_DATA_DIR: "memory://",
      LLM_PROVIDER: "local",
      DATABASE_URL: "",
      REDIS_URL: "",
      LOG_LEVEL: "",
      LOG_FORMAT: "",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (data: Buffer) => {
    stdout += data.toString();
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (data: Buffer) => {
        stderr += data.toString();
        const match = /listening on (http:\/\/\S+) /.exec(stderr);
        if (match?.[1] !== undefined && stderr.includes("web console at")) resolve(match[1]);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    return {
      url,
      stdout: () => stdout,
      stderr: () => stderr,
      stop: () => {
        child.kill("SIGTERM");
        return exited;
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");

describe("portflow serve", { timeout: 180_000 }, () => {
  it("serves HTTP and prints the web console's URL on stderr, until SIGTERM, then exits 0; stdout holds only JSON log lines, without the /health probes at info", async () => {
    const served = await serve();
    const health = await fetch(`${served.url}/health`);
    expect(health.status).toBe(200);
    expect((await fetch(`${served.url}/api/v1/bots`)).status).toBe(401);
    expect(served.stderr()).toContain(`web console at ${served.url}/console/`);
    expect(await served.stop()).toBe(0);
    const logged = lines(served.stdout()).map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
    expect(logged.some((l) => l.req?.url === "/api/v1/bots")).toBe(true);
    expect(logged.some((l) => l.req?.url === "/health")).toBe(false);
    expect(served.stdout()).not.toContain("listening on");
  });

  it("logs pretty lines with LOG_FORMAT=pretty, and the /health probes at LOG_LEVEL=debug", async () => {
    const served = await serve({ LOG_FORMAT: "pretty", LOG_LEVEL: "debug" });
    expect((await fetch(`${served.url}/health`)).status).toBe(200);
    expect(await served.stop()).toBe(0);
    const out = lines(served.stdout());
    expect(out.length).toBeGreaterThan(0);
    expect(out.filter((line) => line.startsWith("{"))).toEqual([]);
    expect(out.some((line) => /DEBUG.*health probe/.test(line))).toBe(true);
    expect(served.stdout()).toMatch(/"url": "\/health"/);
  });
});
