/**
 * What a client saw finished is on disk: a real server process on a real PostgreSQL is killed
 * (SIGKILL) the moment the SSE client receives an event, and every run and node it announced is
 * then found recorded.
 */

import { validateWorkflow } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { createParser } from "eventsource-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "./testing/server-process.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();

interface Announced {
  runId?: string;
  finishedNodes: string[];
}

/**
 * Streams one chat answer and SIGKILLs the server as soon as the `killAt`-th event named
 * `eventName` arrives (counting from 1). Returns what the client had been told by then.
 */
async function chatUntilKilled(
  server: ServerProcess,
  body: unknown,
  authorization: string,
  eventName: "run.started" | "node.finished",
  killAt: number,
): Promise<Announced> {
  const response = await fetch(`${server.url}/api/v1/chat`, {
    method: "POST",
    headers: { authorization, "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  const announced: Announced = { finishedNodes: [] };
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let seen = 0;
  let reached = false;
  const parser = createParser({
    onEvent: ({ event, data }) => {
      if (reached) return;
      const payload = JSON.parse(data) as { run_id?: string; node_id?: string };
      if (event === "run.started") announced.runId = payload.run_id;
      if (event === "node.finished" && payload.node_id !== undefined) announced.finishedNodes.push(payload.node_id);
      if (event === eventName && ++seen === killAt) reached = true;
    },
  });
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) break;
    parser.feed(decoder.decode(value, { stream: true }));
    if (reached) {
      server.child.kill("SIGKILL");
      await exited;
      await reader.cancel().catch(() => {});
      return announced;
    }
  }
  throw new Error(`the stream ended before ${eventName} #${killAt}`);
}

describe.skipIf(postgres === undefined)("a server killed right after announcing", () => {
  let storage: Storage;
  let botId: string;
  let authorization: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    const registry = createNodeRegistry();
    storage = createStorage(await openDatabase({ databaseUrl: postgres!.url }), {
      validate: (json) => validateWorkflow(json, registry),
    });
    const bot = await storage.bots.create({ name: "durable" });
    botId = bot.id;
    await storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
    await storage.workflowVersions.publish(bot.id);
    const key = await storage.apiKeys.create({ name: "client", botId: bot.id });
    authorization = `Bearer ${key.plaintext}`;
    env = { DATABASE_URL: postgres!.url, LLM_PROVIDER: "local" };
  }, 120_000);

  afterAll(async () => {
    await storage?.close();
    await postgres?.stop();
  });

  it("has the run row once the client was told run.started", async () => {
    const server = await startServerProcess(env);
    const announced = await chatUntilKilled(
      server,
      { bot_id: botId, message: "How long do refunds take?" },
      authorization,
      "run.started",
      1,
    );
    expect(announced.runId).toBeDefined();
    const run = await storage.runs.get(botId, announced.runId as string);
    expect(run?.id).toBe(announced.runId);
  }, 60_000);

  // The RAG workflow announces four nodes: kill after each of them in turn.
  for (const killAt of [1, 2, 3, 4]) {
    it(`has every announced node recorded when killed at node.finished #${killAt}`, async () => {
      const server = await startServerProcess(env);
      const announced = await chatUntilKilled(
        server,
        { bot_id: botId, message: `Question number ${killAt}?` },
        authorization,
        "node.finished",
        killAt,
      );
      expect(announced.finishedNodes).toHaveLength(killAt);
      const run = await storage.runs.get(botId, announced.runId as string);
      expect(run).toBeDefined();
      const recorded = new Set(run?.nodes.map((n) => n.nodeId));
      for (const nodeId of announced.finishedNodes) expect(recorded).toContain(nodeId);
    }, 60_000);
  }
});
