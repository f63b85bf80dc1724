/**
 * Resume of a failed run through real processes, the same tests in both execution modes over one
 * PostgreSQL: queue mode (two API replicas, two `portflow worker` processes, a redis-server) and
 * inline mode (two API replicas, no Redis: the replica asked executes). The workflow's
 * http-request nodes call a fake server here that counts the calls per node and fails b's first
 * call: that is how the tests see which nodes ran again.
 */
import { randomUUID } from "node:crypto";
import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";
import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSseEvents } from "../sse-stream.ts";
import { callsInLine } from "../testing/calls-in-line.ts";
import { openTestStorage, type TestStorage } from "../testing/open-test-storage.ts";
import { type RedisServer, startRedisServer } from "../testing/redis-server.ts";
import { queueModeEnv, type ServerProcess, startServerProcess } from "../testing/server-process.ts";
import { startWorkerProcess, type WorkerProcess } from "../testing/worker-process.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();
const redis: RedisServer | undefined = await startRedisServer();

/** An execution mode: how an API replica is configured, and whether workers execute its runs. */
interface Mode {
  readonly name: "queue" | "inline";
  replicaEnv(databaseUrl: string): Record<string, string>;
  readonly workers: number;
}

const MODES: readonly Mode[] = [
  { name: "queue", replicaEnv: (databaseUrl) => queueModeEnv({ databaseUrl, redisUrl: redis!.url }), workers: 2 },
  {
    name: "inline",
    replicaEnv: (databaseUrl) => ({ PORTFLOW_EXECUTION: "inline", DATABASE_URL: databaseUrl }),
    workers: 0,
  },
];

/** A node execution as the run detail route answers it. */
interface NodeExecution {
  readonly node_id: string;
  readonly step_index: number;
  readonly status: string;
}

interface RunDetail {
  readonly status: string;
  readonly resumed_from: string | null;
  readonly node_executions: NodeExecution[];
}

describe.skipIf(postgres === undefined || redis === undefined)("resume of a failed run across real processes", () => {
  let fake: HttpTestServer;
  let db: TestStorage;

  const calls = (url: string) => fake.requests.filter((r) => r.url === url).length;

  beforeAll(async () => {
    // `/fail-once/…` answers 500 the first time (the http-request node fails), then 200; anything else 200.
    fake = await startHttpTestServer((request, response) => {
      const failing = request.url.startsWith("/fail-once/") && calls(request.url) === 1;
      response.writeHead(failing ? 500 : 200).end(failing ? "not yet" : `answered ${request.url}`);
    });
    // this connection creates the schema before any process starts
    db = await openTestStorage(postgres!.url);
  });

  afterAll(async () => {
    await db?.close();
    await fake?.close();
    await postgres?.stop();
    await redis?.stop();
  });

  describe.each(MODES)("$name mode", (mode) => {
    let replicas: ServerProcess[] = [];
    let workers: WorkerProcess[] = [];
    const replica = (i: 0 | 1) => replicas[i] as ServerProcess;

    beforeAll(async () => {
      const processEnv = { LLM_PROVIDER: "local", PORTFLOW_HTTP_ALLOW: `127.0.0.1:${fake.port}` };
      // The build's JavaScript (fresh from vitest's global setup): starts far quicker than tsx.
      const startReplica = () =>
        startServerProcess(
          { ...mode.replicaEnv(postgres!.url), ...processEnv, PORTFLOW_SHUTDOWN_GRACE_MS: "500" },
          60_000,
          { fromBuild: true },
        );
      const startWorker = () =>
        startWorkerProcess({
          databaseUrl: postgres!.url,
          redisUrl: redis!.url,
          fromBuild: true,
          env: { ...processEnv, LOG_LEVEL: "info" },
        });
      [replicas, workers] = await Promise.all([
        Promise.all([startReplica(), startReplica()]),
        Promise.all(Array.from({ length: mode.workers }, startWorker)),
      ]);
    }, 120_000);

    afterAll(async () => {
      await Promise.all([...replicas, ...workers].map((p) => p.stop()));
    });

    const api = (on: ServerProcess, path: string, init: { method?: string; body?: object } = {}) =>
      fetch(`${on.url}/api/v1${path}`, {
        method: init.method ?? "GET",
        headers: { ...db.admin, ...(init.body !== undefined && { "content-type": "application/json" }) },
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      });

    const detail = async (on: ServerProcess, botId: string, runId: string) =>
      (await (await api(on, `/bots/${botId}/workflow-executions/${runId}`)).json()) as RunDetail;

    /** `[node, step, status]` of each node execution, in step order. */
    const steps = (run: RunDetail) => run.node_executions.map((n) => [n.node_id, n.step_index, n.status]);

    /** The nodes the run's event log shows starting, as `GET …/events` on `on` streams it. */
    async function startedNodes(on: ServerProcess, botId: string, runId: string) {
      const response = await api(on, `/bots/${botId}/workflow-executions/${runId}/events`);
      const events = parseSseEvents(await response.text()) as { event: string; data: { node_id?: string } }[];
      return events.filter((e) => e.event === "node.started").map((e) => e.data.node_id);
    }

    /** The workers that took the run off the queue (their log names it). */
    const holdersOf = (runId: string) => workers.filter((w) => w.output().includes(runId));

    /**
     * A bot whose published workflow is start → a → b → end, and its chat on replica A, failed at
     * b (the fake server's 500): a called once, b once.
     */
    async function failedChat() {
      const tag = randomUUID();
      const paths = { a: `/ok/${tag}/a`, b: `/fail-once/${tag}/b` };
      const botId = await db.botWith(callsInLine(fake.origin, paths), { publish: true });
      const response = await api(replica(0), "/chat", { method: "POST", body: { bot_id: botId, message: "hi" } });
      const body = (await response.json()) as { error: { code: string; details: { run_id: string; node_id: string } } };
      expect([response.status, body.error.code, body.error.details.node_id]).toEqual([500, "run_failed", "b"]);
      const runId = body.error.details.run_id;
      expect(steps(await detail(replica(0), botId, runId))).toEqual([
        ["start", 1, "succeeded"],
        ["a", 2, "succeeded"],
        ["b", 3, "failed"],
      ]);
      expect([calls(paths.a), calls(paths.b)]).toEqual([1, 1]);
      return { botId, runId, paths };
    }

    const resume = async (botId: string, runId: string, body?: { from_node: string }) => {
      const response = await api(replica(1), `/bots/${botId}/workflow-executions/${runId}/resume`, {
        method: "POST",
        ...(body !== undefined && { body }),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { run_id: string; resumed_from: string; status: string; outputs: object };
    };

    it(`a resume on replica B re-runs only the failed node (${mode.name === "queue" ? "on a worker" : "on B"}): a's recorded output is reused, steps continue`, async () => {
      const { botId, runId, paths } = await failedChat();

      const attempt = await resume(botId, runId);
      expect(attempt).toMatchObject({
        status: "succeeded",
        resumed_from: runId,
        outputs: { answer: `answered ${paths.b}` },
      });
      expect(attempt.run_id).not.toBe(runId);
      expect([calls(paths.a), calls(paths.b)]).toEqual([1, 2]);
      // the new attempt records only what it ran, numbered after the failed run's steps
      const resumed = await detail(replica(0), botId, attempt.run_id);
      expect(resumed).toMatchObject({ status: "succeeded", resumed_from: runId });
      expect(steps(resumed)).toEqual([
        ["b", 4, "succeeded"],
        ["end", 5, "succeeded"],
      ]);
      // a's one succeeded record is the failed run's, left as it was
      expect(steps(await detail(replica(0), botId, runId))).toEqual([
        ["start", 1, "succeeded"],
        ["a", 2, "succeeded"],
        ["b", 3, "failed"],
      ]);
      // B's log holds them: in queue mode the Redis Stream the worker wrote, inline B's own (it ran them)
      expect(await startedNodes(replica(1), botId, attempt.run_id)).toEqual(["b", "end"]);
      // queue mode: one worker executed it (the replica only enqueued it); inline mode has no worker
      expect(holdersOf(attempt.run_id)).toHaveLength(Math.min(mode.workers, 1));
    });

    it("a resume from_node a on replica B re-runs a and b, nothing upstream of a: also of a run resumed before", async () => {
      const { botId, runId, paths } = await failedChat();
      await resume(botId, runId);
      expect([calls(paths.a), calls(paths.b)]).toEqual([1, 2]);

      const attempt = await resume(botId, runId, { from_node: "a" });
      expect(attempt).toMatchObject({
        status: "succeeded",
        resumed_from: runId,
        outputs: { answer: `answered ${paths.b}` },
      });
      expect([calls(paths.a), calls(paths.b)]).toEqual([2, 3]);
      const resumed = await detail(replica(0), botId, attempt.run_id);
      expect(resumed).toMatchObject({ status: "succeeded", resumed_from: runId });
      // start's recorded outputs are reused: it has no record and no node.started in this attempt
      expect(steps(resumed)).toEqual([
        ["a", 4, "succeeded"],
        ["b", 5, "succeeded"],
        ["end", 6, "succeeded"],
      ]);
      expect(await startedNodes(replica(1), botId, attempt.run_id)).toEqual(["a", "b", "end"]);
      expect(holdersOf(attempt.run_id)).toHaveLength(Math.min(mode.workers, 1));
    });
  });
});
