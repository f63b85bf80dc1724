/**
 * Queue mode as deployed: two API replicas (`PORTFLOW_EXECUTION=queue`) and two `portflow worker`
 * processes, all real child processes over one PostgreSQL and one redis-server. The workflows'
 * http-request nodes call a fake server here, which counts the calls and holds some open: that is
 * how the tests see which nodes ran, how often, and when a worker's request died.
 */
import type { ServerResponse } from "node:http";
import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";
import type { Storage } from "@portflow/storage";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { callsInLine } from "../testing/calls-in-line.ts";
import { openTestStorage, type TestStorage } from "../testing/open-test-storage.ts";
import { pollUntil } from "../testing/poll-until.ts";
import { type RedisServer, startRedisServer } from "../testing/redis-server.ts";
import { queueModeEnv, type ServerProcess, startServerProcess } from "../testing/server-process.ts";
import { startWorkerProcess, type WorkerProcess } from "../testing/worker-process.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();
const redis: RedisServer | undefined = await startRedisServer();

/** The workers' job lock: a dead worker's run is delivered again after about this long. */
const LOCK_MS = 1_000;

/** A request the fake server holds open: settles when its socket closes. */
interface HeldRequest {
  readonly closed: Promise<void>;
}

describe.skipIf(postgres === undefined || redis === undefined)("queue mode across real processes", () => {
  let db: TestStorage;
  let storage: Storage;
  let fake: HttpTestServer;
  let replicas: ServerProcess[] = [];
  let workers: WorkerProcess[] = [];
  let admin: { authorization: string };
  let serverEnv: Record<string, string>;
  const held = new Map<string, HeldRequest>();
  const arrivals = new Map<string, () => void>();

  const calls = (url: string) => fake.requests.filter((r) => r.url === url).length;

  /** Resolves once the fake server holds a request to `url`. */
  function heldRequest(url: string): Promise<HeldRequest> {
    const now = held.get(url);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve) => arrivals.set(url, () => resolve(held.get(url) as HeldRequest)));
  }

  function hold(url: string, response: ServerResponse): void {
    held.set(url, { closed: new Promise((resolve) => response.once("close", () => resolve())) });
    arrivals.get(url)?.();
  }

  const startWorker = () =>
    startWorkerProcess({
      databaseUrl: postgres!.url,
      redisUrl: redis!.url,
      lockMs: LOCK_MS,
      fromBuild: true,
      env: { LLM_PROVIDER: "local", PORTFLOW_HTTP_ALLOW: `127.0.0.1:${fake.port}`, LOG_LEVEL: "info" },
    });
  // The build's JavaScript (fresh from vitest's global setup): eight starts in this file, each far quicker than tsx.
  const startReplica = () => startServerProcess(serverEnv, 60_000, { fromBuild: true });

  beforeAll(async () => {
    // `/held/…` is held open for good; `/held-once/…` the first time only; anything else answers at once.
    fake = await startHttpTestServer((request, response) => {
      const url = request.url;
      if (url.startsWith("/held/") || (url.startsWith("/held-once/") && calls(url) === 1)) return hold(url, response);
      response.writeHead(200).end(`answered ${url}`);
    });
    // this connection creates the schema before any process starts
    db = await openTestStorage(postgres!.url);
    ({ storage, admin } = db);
    serverEnv = {
      ...queueModeEnv({ databaseUrl: postgres!.url, redisUrl: redis!.url }),
      LLM_PROVIDER: "local",
      PORTFLOW_SHUTDOWN_GRACE_MS: "500",
    };
    [replicas, workers] = await Promise.all([
      Promise.all([startReplica(), startReplica()]),
      Promise.all([startWorker(), startWorker()]),
    ]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...replicas, ...workers].map((p) => p.stop()));
    await db?.close();
    await fake?.close();
    await postgres?.stop();
    await redis?.stop();
  });

  const botWith = (graph: unknown, publish: boolean) => db.botWith(graph, { publish });

  const draftRun = (replica: ServerProcess, botId: string) =>
    fetch(`${replica.url}/api/v1/bots/${botId}/workflow-versions/draft/run`, { method: "POST", headers: admin });

  const chat = (replica: ServerProcess, botId: string, message: string) =>
    fetch(`${replica.url}/api/v1/chat`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message, stream: true }),
    });

  /** The run's logged events, as `GET …/events` on `replica` streams them. */
  async function loggedEvents(replica: ServerProcess, botId: string, runId: string) {
    const response = await fetch(`${replica.url}/api/v1/bots/${botId}/workflow-executions/${runId}/events`, {
      headers: admin,
    });
    return parseSseEvents(await response.text()) as { event: string; data: { node_id?: string } }[];
  }

  const startedNodes = (events: { event: string; data: { node_id?: string } }[]) =>
    events.filter((e) => e.event === "node.started").map((e) => e.data.node_id);

  const onlyRunId = async (botId: string) =>
    pollUntil("the run's row", async () => (await storage.runs.list(botId, {})).items[0]?.id);
  const statusOf = async (botId: string, runId: string) => (await storage.runs.get(botId, runId))?.status;
  /** The workers that took the run off the queue (their log names it). */
  const holdersOf = (runId: string) => workers.filter((w) => w.output().includes(runId));

  it("streams a chat's answer from replica A while a worker executes it, recorded succeeded", async () => {
    const botId = await botWith(RAG_WORKFLOW_V2, true);
    const response = await chat(replicas[0] as ServerProcess, botId, "How long do refunds take?");
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSseEvents(await response.text());
    const streamed = events
      .filter((e) => e.event === "text")
      .map((e) => (e.data as { delta: string }).delta)
      .join("");
    expect(streamed.length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ event: "run.finished", data: { status: "succeeded", response: streamed } });
    const runId = response.headers.get("x-portflow-run-id") as string;
    expect(await statusOf(botId, runId)).toBe("succeeded");
    expect(holdersOf(runId)).toHaveLength(1);
  });

  it("a worker SIGKILLed mid-node: the other worker finishes the run, re-running only the node in flight", async () => {
    const tag = crypto.randomUUID();
    const [a, b] = [`/once/${tag}/a`, `/held-once/${tag}/b`];
    const botId = await botWith(callsInLine(fake.origin, { a, b }), false);
    const answer = draftRun(replicas[0] as ServerProcess, botId);
    const inFlight = await heldRequest(b);
    const runId = await onlyRunId(botId);
    const holder = await pollUntil("the worker holding the run", () => holdersOf(runId)[0]);
    const survivor = workers.find((w) => w !== holder) as WorkerProcess;

    const killedAt = Date.now();
    expect(await holder.kill("SIGKILL")).toEqual({ code: null, signal: "SIGKILL" });
    await inFlight.closed; // the node's request died with its worker
    workers = [survivor]; // the tests after this one need one worker, until the restart starts two

    const response = await answer;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: "succeeded", outputs: { answer: `answered ${b}` } });
    expect([calls(a), calls(b)]).toEqual([1, 2]);
    const run = await storage.runs.get(botId, runId);
    expect(run?.status).toBe("succeeded");
    expect(run?.nodes.map((n) => n.nodeId)).toEqual(["start", "a", "b", "end"]);
    // b's record is the survivor's attempt, started after the kill
    expect(run?.nodes.find((n) => n.nodeId === "b")?.startedAt.getTime()).toBeGreaterThanOrEqual(killedAt);
    expect(survivor.output()).toMatch(new RegExp(`"runId":"${runId}","redelivered":true`));
    // the log shows a started once and the survivor's attempt of b; the killed worker's own
    // `node.started b` may be lost with it (events are pipelined to Redis, not awaited one by one)
    const started = startedNodes(await loggedEvents(replicas[1] as ServerProcess, botId, runId));
    expect(started.filter((id) => id === "a")).toEqual(["a"]);
    expect(started.slice(0, 2)).toEqual(["start", "a"]);
    expect(started.slice(-2)).toEqual(["b", "end"]);
  });

  it("a cancel on replica B stops the run on a worker within 1 s and aborts the node's request", async () => {
    const tag = crypto.randomUUID();
    const botId = await botWith(callsInLine(fake.origin, { call: `/held/${tag}` }), false);
    const answer = draftRun(replicas[0] as ServerProcess, botId);
    const inFlight = await heldRequest(`/held/${tag}`);
    const runId = await onlyRunId(botId);

    const cancel = await fetch(`${replicas[1]?.url}/api/v1/bots/${botId}/workflow-executions/${runId}/cancel`, {
      method: "POST",
      headers: admin,
    });
    const answeredAt = performance.now();
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ run_id: runId, outcome: "stopping" });
    await pollUntil("the run recorded cancelled", async () =>
      (await statusOf(botId, runId)) === "cancelled" ? true : undefined,
    );
    expect(performance.now() - answeredAt).toBeLessThan(1_000);
    await inFlight.closed;
    expect(await (await answer).json()).toMatchObject({ status: "cancelled" });
  });

  it("with no worker running, a queued run cancelled on replica B ends the chat following it on A; a chat whose client leaves is cancelled", async () => {
    const tag = crypto.randomUUID();
    const botId = await botWith(callsInLine(fake.origin, { call: `/never/${tag}` }), true);
    expect((await Promise.all(workers.map((w) => w.stop()))).map((e) => e.code)).toEqual(workers.map(() => 0));
    workers = [];

    const followed = await chat(replicas[0] as ServerProcess, botId, "cancel me");
    const followedId = followed.headers.get("x-portflow-run-id") as string;
    const cancel = await fetch(`${replicas[1]?.url}/api/v1/bots/${botId}/workflow-executions/${followedId}/cancel`, {
      method: "POST",
      headers: admin,
    });
    expect(await cancel.json()).toEqual({ run_id: followedId, outcome: "cancelled" });
    expect(parseSseEvents(await followed.text()).at(-1)).toMatchObject({
      event: "run.finished",
      data: { run_id: followedId, status: "cancelled" },
    });

    const client = new AbortController();
    const left = await fetch(`${replicas[1]?.url}/api/v1/chat`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "gone", stream: true }),
      signal: client.signal,
    });
    const leftId = left.headers.get("x-portflow-run-id") as string;
    client.abort();
    await pollUntil("the abandoned chat recorded cancelled", async () =>
      (await statusOf(botId, leftId)) === "cancelled" ? true : undefined,
    );
    expect(await statusOf(botId, followedId)).toBe("cancelled");
  });

  it("a full restart of every process with runs queued loses none: all end succeeded", async () => {
    const tag = crypto.randomUUID();
    const botId = await botWith(callsInLine(fake.origin, { call: `/restart/${tag}` }), true);
    await Promise.all(workers.map((w) => w.stop()));
    workers = [];
    // Chats on both replicas, their clients still waiting when the replicas go down.
    const chats = [0, 1, 0, 1].map((i) => chat(replicas[i] as ServerProcess, botId, `queued ${i}`));
    const runIds = await Promise.all(chats.map(async (c) => (await c).headers.get("x-portflow-run-id") as string));
    const streams = chats.map(async (c) => parseSseEvents(await (await c).text()));
    expect(await Promise.all(runIds.map((id) => statusOf(botId, id)))).toEqual(runIds.map(() => "queued"));

    expect(await Promise.all(replicas.map((r) => r.stop()))).toEqual([0, 0]);
    replicas = [];
    // Each waiting client is told its server went away and the run goes on.
    for (const [i, stream] of (await Promise.all(streams)).entries()) {
      expect(stream.at(-1)).toMatchObject({
        event: "error",
        data: { code: "service_unavailable", details: { run_id: runIds[i] } },
      });
    }
    [replicas, workers] = await Promise.all([
      Promise.all([startReplica(), startReplica()]),
      Promise.all([startWorker(), startWorker()]),
    ]);
    const statuses = await pollUntil("every queued run to finish", async () => {
      const now = await Promise.all(runIds.map((id) => statusOf(botId, id)));
      return now.every((s) => s !== "queued" && s !== "running") ? now : undefined;
    });
    expect(statuses).toEqual(runIds.map(() => "succeeded"));
    expect(calls(`/restart/${tag}`)).toBe(runIds.length);
    // the runs cancelled while queued (test before) were taken off the queue: they never ran
    expect(fake.requests.filter((r) => r.url.startsWith("/never/"))).toEqual([]);
  }, 90_000);

  it("a code node busy on the CPU for longer than the lock keeps its run: the lock renews, it runs once", async () => {
    const tag = crypto.randomUUID();
    const spinMs = 3 * LOCK_MS;
    const code = `function main() { const until = Date.now() + ${spinMs}; let spins = 0; while (Date.now() < until) spins++; return { spins }; }`;
    const graph = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start", config: { inputs: [] } },
        {
          id: "spin",
          type: "code",
          config: {
            language: "javascript",
            code,
            outputs: [{ name: "spins", type: "number" }],
            limits: { time_ms: 10 * spinMs },
          },
        },
        { id: "after", type: "http-request", config: { url: `${fake.origin}/after/${tag}` } },
        { id: "end", type: "end", variable_mappings: [{ target_port: "spins", selector: ["spin", "spins"] }] },
      ],
      edges: [
        { source: "start", target: "spin" },
        { source: "spin", target: "after" },
        { source: "after", target: "end" },
      ],
    };
    const botId = await botWith(graph, false);
    const response = await draftRun(replicas[1] as ServerProcess, botId);
    const body = (await response.json()) as { status: string; run_id: string; elapsed_ms: number };
    expect(body).toMatchObject({ status: "succeeded" });
    const runId = body.run_id;
    expect(calls(`/after/${tag}`)).toBe(1);
    expect(startedNodes(await loggedEvents(replicas[0] as ServerProcess, botId, runId))).toEqual([
      "start",
      "spin",
      "after",
      "end",
    ]);
    const spin = (await storage.runs.get(botId, runId))?.nodes.find((n) => n.nodeId === "spin");
    expect(spin?.elapsedMs).toBeGreaterThanOrEqual(spinMs);
    expect(holdersOf(runId)).toHaveLength(1);
    expect(holdersOf(runId)[0]?.output()).not.toMatch(new RegExp(`"runId":"${runId}","redelivered":true`));
  });
});
