/**
 * A server process stopped in the middle of a long run, on a real PostgreSQL: SIGTERM exits 0
 * within the grace period plus the documented bound, with the run recorded `cancelled`; SIGKILL
 * leaves the run `running`, and the same instance starting again marks it `interrupted` at once.
 */
import { validateWorkflow } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHUTDOWN_BOUND_MS } from "./start-server.ts";
import { type ServerProcess, startServerProcess } from "./testing/server-process.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();

/** The default PORTFLOW_SHUTDOWN_GRACE_MS, which Fastify's 10 s close-hook timeout used to cut short. */
const GRACE_MS = 10_000;

describe.skipIf(postgres === undefined)("a server stopped mid-run", () => {
  let storage: Storage;
  let botId: string;
  let auth: { authorization: string };
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    const registry = createNodeRegistry();
    storage = createStorage(await openDatabase({ databaseUrl: postgres!.url }), {
      validate: (json) => validateWorkflow(json, registry),
    });
    const bot = await storage.bots.create({ name: "lifecycle" });
    botId = bot.id;
    await storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
    await storage.workflowVersions.publish(bot.id);
    const key = await storage.apiKeys.create({ name: "lifecycle" });
    auth = { authorization: `Bearer ${key.plaintext}` };
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) server.child.kill("SIGKILL");
    await storage?.close();
    await postgres?.stop();
  });

  /** A server whose chat model streams 1,000 words 50 ms apart (a 50 s run). */
  async function slowServer(env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await startServerProcess({
      DATABASE_URL: postgres!.url,
      LLM_PROVIDER: "local",
      PORTFLOW_TEST_SLOW_CHAT_MS: "50",
      ...env,
    });
    servers.push(server);
    return server;
  }

  /** Starts a streamed chat; resolves with its run id once the first words arrived. */
  async function startLongRun(server: ServerProcess): Promise<string> {
    const res = await fetch(`${server.url}/api/v1/chat`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "tell me everything", stream: true }),
    });
    const runId = res.headers.get("x-portflow-run-id") ?? "";
    const reader = res.body!.getReader();
    let text = "";
    while (!text.includes("event: text")) text += new TextDecoder().decode((await reader.read()).value);
    // keep reading so the stream is not what ends the run
    void (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // the server went away
      }
    })();
    return runId;
  }

  it("SIGTERM during a run exits 0 within the grace period plus the bound, the run recorded cancelled", async () => {
    const server = await slowServer({ PORTFLOW_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
    const runId = await startLongRun(server);
    const started = performance.now();
    const code = await server.stop();
    const took = performance.now() - started;
    expect(code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(GRACE_MS);
    expect(took).toBeLessThan(GRACE_MS + SHUTDOWN_BOUND_MS);
    expect(server.output()).not.toContain("shutdown failed");
    expect(server.output()).not.toContain("shutdown timed out");
    expect((await storage.runs.get(botId, runId))?.status).toBe("cancelled");
  }, 60_000);

  it("a run of a SIGKILLed server is interrupted as soon as the same instance starts again", async () => {
    const env = { PORTFLOW_INSTANCE_ID: "lifecycle-test-instance" };
    const first = await slowServer(env);
    const runId = await startLongRun(first);
    first.child.kill("SIGKILL");
    await first.exited;
    const killedAt = performance.now();
    expect((await storage.runs.get(botId, runId))?.status).toBe("running");

    const second = await slowServer(env);
    expect(performance.now() - killedAt).toBeLessThan(60_000); // well within the 60 s lease
    expect(await storage.runs.get(botId, runId)).toMatchObject({
      status: "interrupted",
      error: { code: "interrupted" },
    });
    expect(await second.stop()).toBe(0);
  }, 90_000);
});
