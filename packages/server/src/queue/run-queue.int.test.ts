import { ServiceContainer, Services, WorkflowExecutorV2 } from "@portflow/engine";
import { createNodeRegistry } from "@portflow/nodes";
import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunService } from "../run-service.ts";
import { RunTracker } from "../run-tracker.ts";
import { parseSseEvents } from "../sse-stream.ts";
import { draftRunSpec } from "../testing/draft-run-spec.ts";
import { type RedisServer, startRedisServer } from "../testing/redis-server.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { WorkflowRunner } from "../workflow-runner.ts";
import { openRunQueue } from "./open-run-queue.ts";
import { runEventsKey } from "./redis-run-event-log.ts";
import { RUN_QUEUE_NAME, type RunJobData, runCancelKey } from "./run-queue-names.ts";
import { RunWorker } from "./run-worker.ts";

const redisServer: RedisServer | undefined = await startRedisServer();

let t: TestApp;
let api: HttpTestServer;
let worker: RunWorker;
let workerQueue: ReturnType<typeof openRunQueue>;
/** The worker's RunService (no dispatcher: submitting writes the row only). */
let workerRuns: RunService;
let redis: Redis;
let hung: (() => void) | undefined;
let queue: Queue<RunJobData>;
/** Requests to `/hold…` wait here until the test answers them. */
const holding: { url: string; answer: () => void }[] = [];
let held: (() => void) | undefined;
const SILENT = { debug() {}, info() {}, warn() {}, error() {} };

describe.skipIf(redisServer === undefined)("queue mode (BullMQ on a real redis-server)", () => {
  beforeAll(async () => {
    const url = redisServer?.url ?? "";
    api = await startHttpTestServer((req, res) => {
      if (req.url === "/hang") {
        hung?.();
        return;
      }
      if (req.url?.startsWith("/hold") === true) {
        holding.push({ url: req.url, answer: () => res.writeHead(200).end(`answered ${req.url}`) });
        held?.();
        return;
      }
      res.writeHead(200).end(`answered ${req.url}`);
    });
    // The API's own http-request nodes may call nothing: a run that succeeds ran on the worker.
    t = await createTestApp({ runQueueUrl: url });
    const registry = createNodeRegistry({ http: { allow: [`127.0.0.1:${api.port}`] } });
    const services = new ServiceContainer().register(Services.RunRecorder, t.storage.recorder);
    workerQueue = openRunQueue(url);
    workerRuns = new RunService(
      new WorkflowRunner(new WorkflowExecutorV2(registry, { services }), new RunTracker()),
      t.storage,
      { events: workerQueue.events },
    );
    worker = await RunWorker.start({ redisUrl: url, runs: workerRuns, lockMs: 5_000, logger: SILENT });
    redis = new Redis(url);
    queue = new Queue<RunJobData>(RUN_QUEUE_NAME, { connection: new Redis(url, { maxRetriesPerRequest: null }) });
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.close();
    await workerQueue?.close();
    await t?.close();
    await api?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  async function botCalling(path: string): Promise<string> {
    const botId = (await t.storage.bots.create({ name: "queued" })).id;
    const graph = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start", config: { inputs: [{ name: "note", type: "string", required: false }] } },
        { id: "call", type: "http-request", config: { url: `${api.origin}${path}` } },
        {
          id: "end",
          type: "end",
          variable_mappings: [
            { target_port: "answer", selector: ["call", "body"] },
            { target_port: "note", selector: ["start", "note"] },
          ],
        },
      ],
      edges: [
        { source: "start", target: "call" },
        { source: "call", target: "end" },
      ],
    };
    const saved = await t.app.inject({
      method: "PUT",
      url: `/api/v1/bots/${botId}/workflow-versions/draft`,
      headers: t.admin,
      payload: { graph },
    });
    expect(saved.json()).toMatchObject({ valid: true });
    return botId;
  }

  const draftRun = (botId: string, inputs: Record<string, unknown> = {}) =>
    t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-versions/draft/run`,
      headers: t.admin,
      payload: { inputs },
    });

  /** Starts a draft run whose http node the fake server holds; resolves with the run's id and its job while it runs. */
  async function heldRun(botId: string, inputs: Record<string, unknown>) {
    const reached = new Promise<void>((resolve) => {
      held = resolve;
    });
    const response = draftRun(botId, inputs);
    await reached;
    const [run] = (await t.storage.runs.list(botId, { status: "running" })).items;
    const job = await queue.getJob(run?.id ?? "");
    const answer = holding.pop()?.answer;
    const finish = () => {
      answer?.();
      return response;
    };
    return { runId: run?.id, job, finish };
  }

  it("a run submitted on the API executes on the worker and comes back through the run's Redis Stream", async () => {
    const botId = await botCalling("/hello");
    const run = await draftRun(botId);
    expect(run.json()).toMatchObject({ status: "succeeded", outputs: { answer: "answered /hello" } });
    const runId = run.json().run_id as string;
    expect(await redis.xlen(runEventsKey(runId))).toBeGreaterThan(3);
    expect(await redis.ttl(runEventsKey(runId))).toBeGreaterThan(0);
    expect((await t.storage.runs.get(botId, runId))?.nodes.map((n) => n.nodeId)).toEqual(["start", "call", "end"]);
  });

  it("streams a run's events from the log and replays after Last-Event-ID", async () => {
    const botId = await botCalling("/again");
    const runId = (await draftRun(botId)).json().run_id as string;
    const url = `/api/v1/bots/${botId}/workflow-executions/${runId}/events`;
    const all = await t.app.inject({ method: "GET", url, headers: t.admin });
    expect(all.headers["content-type"]).toContain("text/event-stream");
    const ids = [...all.body.matchAll(/^id: (.+)$/gm)].map((m) => m[1] as string);
    const events = parseSseEvents(all.body).map((e) => e.event);
    expect(events[0]).toBe("run.started");
    expect(events.at(-1)).toBe("run.finished");
    expect(ids.length).toBe(events.length);
    const rest = await t.app.inject({
      method: "GET",
      url,
      headers: { ...t.admin, "last-event-id": ids[1] as string },
    });
    expect(parseSseEvents(rest.body).map((e) => e.event)).toEqual(events.slice(2));
    const bad = await t.app.inject({ method: "GET", url, headers: { ...t.admin, "last-event-id": "x" } });
    expect(bad.statusCode).toBe(400);
  });

  it("a cancel on the API stops the run on the worker within 1 s, recorded cancelled", async () => {
    const botId = await botCalling("/hang");
    const reached = new Promise<void>((resolve) => {
      hung = resolve;
    });
    const running = draftRun(botId);
    await reached;
    const [run] = (await t.storage.runs.list(botId, { status: "running" })).items;
    const cancelledAt = performance.now();
    const cancel = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-executions/${run?.id}/cancel`,
      headers: t.admin,
    });
    expect(cancel.json()).toEqual({ run_id: run?.id, outcome: "stopping" });
    expect((await running).json()).toMatchObject({ status: "cancelled" });
    expect(performance.now() - cancelledAt).toBeLessThan(1_000);
    expect((await t.storage.runs.get(botId, run?.id ?? ""))?.status).toBe("cancelled");
  });

  it("a run's job carries the spec the API stored, so the worker need not read it back", async () => {
    const botId = await botCalling("/hold/small");
    const { runId, job, finish } = await heldRun(botId, { note: "short" });
    const stored = await t.storage.runSpecs.get(runId ?? "");
    expect(job?.data).toEqual({ runId, spec: stored?.spec });
    expect((await finish()).json()).toMatchObject({ status: "succeeded", outputs: { answer: "answered /hold/small" } });
  });

  it("a spec too big for a job stays in the run's row only, and the worker runs it from there", async () => {
    const botId = await botCalling("/hold/big");
    const note = "x".repeat(70_000);
    const { runId, job, finish } = await heldRun(botId, { note });
    expect(job?.data).toEqual({ runId });
    const { status, outputs } = (await finish()).json();
    expect({ status, answer: outputs.answer }).toEqual({ status: "succeeded", answer: "answered /hold/big" });
    expect(outputs.note === note).toBe(true); // the whole input reached the worker (not printed when it did not)
  });

  it("the worker executes as many runs at once as its concurrency (4), and the next when one of them ends", async () => {
    const botId = await botCalling("/hold/slots");
    const reaching = async (count: number) => {
      const deadline = Date.now() + 10_000;
      while (holding.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return holding.length;
    };
    const four = [0, 1, 2, 3].map(() => draftRun(botId));
    expect(await reaching(4)).toBe(4);
    const fifth = draftRun(botId);
    const deadline = Date.now() + 10_000;
    while ((await queue.getWaitingCount()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect({ waiting: await queue.getWaitingCount(), held: holding.length }).toEqual({ waiting: 1, held: 4 });
    holding.shift()?.answer();
    expect(await reaching(4)).toBe(4); // the fifth took the slot the first left
    for (const held of holding.splice(0)) held.answer();
    const answers = await Promise.all([...four, fifth]);
    expect(answers.map((a) => a.json().status)).toEqual(Array(5).fill("succeeded"));
  });

  it("a job delivered late for a run cancelled while it was queued is not executed", async () => {
    const botId = await botCalling("/never-called");
    const draft = await t.storage.workflowVersions.getDraft(botId);
    // The row only, no job yet: the job below stands for one a worker took just before the cancel removed it.
    const runId = await workerRuns.submit(draftRunSpec(botId, draft));
    const cancel = await t.app.inject({
      method: "POST",
      url: `/api/v1/bots/${botId}/workflow-executions/${runId}/cancel`,
      headers: t.admin,
    });
    expect(cancel.json()).toEqual({ run_id: runId, outcome: "cancelled" });
    const spec = (await t.storage.runSpecs.get(runId))?.spec;
    const job = await queue.add("run", { runId, spec }, { jobId: runId, removeOnComplete: true });
    const deadline = Date.now() + 10_000;
    while ((await job.getState()) !== "unknown" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await job.getState()).toBe("unknown"); // taken, done and removed
    expect(api.requests.filter((r) => r.url === "/never-called")).toEqual([]);
    expect((await t.storage.runs.get(botId, runId))?.status).toBe("cancelled");
  });

  it("a cancel is announced on Redis before the run is recorded cancelled (what a first delivery relies on)", async () => {
    const botId = await botCalling("/announced");
    const draft = await t.storage.workflowVersions.getDraft(botId);
    const announcedWhenRecorded: number[] = [];
    const apiQueue = openRunQueue(redisServer?.url ?? "");
    const runs = new RunService(new WorkflowRunner(new WorkflowExecutorV2(createNodeRegistry()), new RunTracker()), {
      ...t.storage,
      runSpecs: {
        submit: (run, options) => t.storage.runSpecs.submit(run, options),
        get: (runId, options) => t.storage.runSpecs.get(runId, options),
        recordedNodes: (runId, options) => t.storage.runSpecs.recordedNodes(runId, options),
        finishQueued: async (runId, outcome) => {
          announcedWhenRecorded.push(await redis.exists(runCancelKey(runId)));
          return t.storage.runSpecs.finishQueued(runId, outcome);
        },
      },
    });
    runs.useDispatcher(apiQueue.dispatcher);
    try {
      const runId = await runs.submit(draftRunSpec(botId, draft));
      expect(await runs.cancel(runId)).toBe("cancelled");
      expect(announcedWhenRecorded).toEqual([1]);
    } finally {
      await apiQueue.close();
    }
  });
});
