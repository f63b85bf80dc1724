import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runPortflowProcess } from "./cli/run-portflow-process.ts";
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

  it("rotating PORTFLOW_ADMIN_KEY across restarts retires the old key and leaves CLI keys alone", {
    timeout: 120_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "portflow-rotation-"));
    const OLD = "pf_rotation_old_admin_key_0001";
    const NEW = "pf_rotation_new_admin_key_0002";
    const start = (adminKey: string) =>
      startServer(
        loadConfig({
          PORTFLOW_DATA_DIR: dataDir,
          HOST: "127.0.0.1",
          PORT: "0",
          LOG_LEVEL: "silent",
          PORTFLOW_ADMIN_KEY: adminKey,
        }),
        { handleSignals: false },
      );
    const status = async (url: string, key: string) =>
      (await fetch(`${url}/api/v1/bots`, { headers: { authorization: `Bearer ${key}` } })).status;
    try {
      const first = await start(OLD);
      try {
        expect(await status(first.url, OLD)).toBe(200);
      } finally {
        await first.close();
      }
      // a key made with the real CLI between the two starts
      const cli = await runPortflowProcess(["keys", "create", "--name", "ops", "--json"], { dataDir });
      expect(cli.code).toBe(0);
      const cliKey = (JSON.parse(cli.stdout) as { plaintext: string }).plaintext;

      const second = await start(NEW);
      try {
        expect({
          old: await status(second.url, OLD),
          new: await status(second.url, NEW),
          cli: await status(second.url, cliKey),
        }).toEqual({ old: 401, new: 200, cli: 200 });
      } finally {
        await second.close();
      }

      // switching back does not revive the retired key
      const third = await start(OLD);
      try {
        expect({ old: await status(third.url, OLD), new: await status(third.url, NEW) }).toEqual({
          old: 401,
          new: 401,
        });
        expect(await status(third.url, cliKey)).toBe(200);
      } finally {
        await third.close();
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
