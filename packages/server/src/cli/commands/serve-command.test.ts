import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PORTFLOW_BIN } from "../run-portflow-process.ts";

describe("portflow serve", () => {
  it("serves HTTP and prints the web console's URL, until SIGTERM, then exits 0", { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [PORTFLOW_BIN, "serve", "--port", "0", "--host", "127.0.0.1"], {
      env: { ...process.env, PORTFLOW_DATA_DIR: "memory://", LLM_PROVIDER: "local", DATABASE_URL: "", REDIS_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      let stderr = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on("data", (data: Buffer) => {
          stderr += data.toString();
          const match = /listening on (http:\/\/\S+) /.exec(stderr);
          if (match?.[1] !== undefined && stderr.includes("web console at")) resolve(match[1]);
        });
        void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(stderr).toContain(`web console at ${url}/console/`);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
