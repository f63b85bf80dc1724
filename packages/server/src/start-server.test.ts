import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { startServer } from "./start-server.ts";
import { startServerProcess } from "./testing/server-process.ts";

describe("startServer", () => {
  it("starts on embedded PGlite with local providers and in-memory limits, and closes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "portflow-server-"));
    try {
      const config = loadConfig({
        PORTFLOW_DATA_DIR: dataDir,
        HOST: "127.0.0.1",
        PORT: "0",
        LOG_LEVEL: "silent",
        PORTFLOW_ADMIN_KEY: "pf_test_admin_key_0123456789",
      });
      const server = await startServer(config, { handleSignals: false });
      try {
        const health = await fetch(`${server.url}/health`);
        expect(await health.json()).toMatchObject({ status: "ok", db: "ok", redis: "not-configured" });
        const bots = await fetch(`${server.url}/api/v1/bots`, {
          headers: { authorization: "Bearer pf_test_admin_key_0123456789" },
        });
        expect(bots.status).toBe(200);
        const denied = await fetch(`${server.url}/api/v1/bots`, {
          headers: { authorization: "Bearer pf_test_admin_key_0123456780" },
        });
        expect(denied.status).toBe(401);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses to start on a bad setting, naming it", async () => {
    await expect(startServerProcess({ PORT: "eighty", PORTFLOW_DATA_DIR: "memory://" })).rejects.toThrow(
      /PORT: .*"eighty"/,
    );
  });
});
