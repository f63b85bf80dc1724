/**
 * `GET /api/v1/bots/{bot_id}/statistics` over a real database: the same suite runs on PGlite
 * (statistics-routes.test.ts) and on PostgreSQL (statistics-routes.int.test.ts).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp, type TestAppOptions } from "../testing/test-app.ts";

interface SeedRun {
  readonly at: string;
  readonly status: string;
  /** Queued this long before `at` (it started at `at`). */
  readonly queuedMs?: number;
  readonly elapsedMs?: number;
  readonly tokens?: readonly [number, number];
  readonly nodes?: readonly { type: string; ms: number; failed?: boolean }[];
}

export function describeStatisticsRoutes(name: string, options: () => Promise<TestAppOptions> | TestAppOptions): void {
  let t: TestApp;
  let botId: string;

  /** Rows written straight into the tables, so the timestamps are exactly the ones named. */
  async function seed(bot: string, runs: readonly SeedRun[]): Promise<void> {
    const db = t.storage.database.db;
    for (const run of runs) {
      const id = randomUUID();
      const startedAt = new Date(run.at);
      const [input, output] = run.tokens ?? [0, 0];
      await db
        .insertInto("workflow_execution_runs")
        .values({
          id,
          bot_id: bot,
          workflow_version_id: null,
          status: run.status,
          trigger: "api",
          inputs: "{}",
          input_tokens: input,
          output_tokens: output,
          elapsed_ms: run.elapsedMs ?? null,
          session_id: null,
          started_at: startedAt,
          finished_at: run.status === "running" ? null : new Date(startedAt.getTime() + (run.elapsedMs ?? 0)),
          queued_at: run.queuedMs === undefined ? null : new Date(startedAt.getTime() - run.queuedMs),
        })
        .execute();
      for (const [step, node] of (run.nodes ?? []).entries()) {
        await db
          .insertInto("workflow_node_executions")
          .values({
            run_id: id,
            bot_id: bot,
            node_id: `n${step}`,
            node_type: node.type,
            step_index: step,
            status: node.failed ? "failed" : "succeeded",
            inputs: "{}",
            outputs: "{}",
            process_data: "{}",
            attempts: 1,
            input_tokens: 0,
            output_tokens: 0,
            elapsed_ms: node.ms,
            started_at: startedAt,
            finished_at: new Date(startedAt.getTime() + node.ms),
          })
          .execute();
      }
    }
  }

  const get = (url: string) => t.app.inject({ method: "GET", url, headers: t.admin });

  beforeAll(async () => {
    t = await createTestApp(await options());
    botId = (await t.storage.bots.create({ name: "stats" })).id;
    const other = (await t.storage.bots.create({ name: "stats-other" })).id;
    const llm = (ms: number, failed = false) => ({ type: "llm", ms, failed });
    await seed(botId, [
      // before the 7-day window ending 2026-01-10, and at its (exclusive) end: not counted
      { at: "2026-01-02T23:59:59Z", status: "succeeded", tokens: [1000, 1000] },
      { at: "2026-01-10T00:00:00Z", status: "succeeded", tokens: [1000, 1000] },
      // 2026-01-04: three succeeded, one failed
      { at: "2026-01-04T09:00:00Z", status: "succeeded", tokens: [10, 5], nodes: [llm(10), llm(20)] },
      { at: "2026-01-04T10:00:00Z", status: "succeeded", tokens: [10, 5], nodes: [llm(30), llm(40)] },
      { at: "2026-01-04T11:00:00Z", status: "succeeded", tokens: [10, 5], nodes: [llm(50), llm(60)] },
      { at: "2026-01-04T12:00:00Z", status: "failed", tokens: [10, 5], nodes: [llm(70), llm(80, true)] },
      // 2026-01-08: one each of interrupted, running (not finished), succeeded
      {
        at: "2026-01-08T06:00:00Z",
        status: "interrupted",
        tokens: [1, 2],
        nodes: [llm(90), { type: "template", ms: 4 }],
      },
      { at: "2026-01-08T06:10:00Z", status: "running" },
      {
        at: "2026-01-08T06:20:00Z",
        status: "succeeded",
        tokens: [3, 4],
        nodes: [llm(100), { type: "template", ms: 6 }],
      },
    ]);
    await seed(other, [{ at: "2026-01-05T00:00:00Z", status: "failed", tokens: [500, 500], nodes: [llm(9999)] }]);
  });

  afterAll(async () => {
    await t?.close();
  });

  describe(`GET /api/v1/bots/{bot_id}/statistics (${name})`, () => {
    it("counts the 7-day window's runs per UTC day and status, with tokens and the failure rate", async () => {
      const res = await get(`/api/v1/bots/${botId}/statistics?window=7d&to=2026-01-10T00:00:00Z`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        window: "7d",
        bucket: "day",
        from: "2026-01-03T00:00:00.000Z",
        to: "2026-01-10T00:00:00.000Z",
        total_runs: 7,
        by_status: { succeeded: 4, failed: 1, interrupted: 1, running: 1 },
        finished_runs: 6,
        failed_runs: 2,
        tokens: { input: 44, output: 26 },
      });
      expect(body.failure_rate).toBeCloseTo(2 / 6);
      const days = body.buckets.map((b: { start: string }) => b.start.slice(0, 10));
      expect(days).toEqual([
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
        "2026-01-08",
        "2026-01-09",
      ]);
      expect(body.buckets[1]).toEqual({
        start: "2026-01-04T00:00:00.000Z",
        total: 4,
        by_status: { succeeded: 3, failed: 1 },
        tokens: { input: 40, output: 20 },
        queue_wait: { runs: 0, avg_ms: null },
      });
      expect(body.buckets[5]).toMatchObject({ total: 3, by_status: { interrupted: 1, running: 1, succeeded: 1 } });
      // the other bot's run on 2026-01-05 is not here
      expect(body.buckets[2]).toEqual({
        start: "2026-01-05T00:00:00.000Z",
        total: 0,
        by_status: {},
        tokens: { input: 0, output: 0 },
        queue_wait: { runs: 0, avg_ms: null },
      });
    });

    it("gives p50 and p95 latency per node type, over node executions of this bot only", async () => {
      const body = (await get(`/api/v1/bots/${botId}/statistics?window=7d&to=2026-01-10T00:00:00Z`)).json();
      // llm: 10, 20, …, 100 ms → percentile_cont gives p50 55 ms, p95 95.5 ms; the latency
      // buckets the statistics read are 2.2 % wide, so within 2.2 % of those.
      expect(body.node_types).toEqual([
        { node_type: "llm", executions: 10, failures: 1, p50_ms: expect.any(Number), p95_ms: expect.any(Number) },
        { node_type: "template", executions: 2, failures: 0, p50_ms: expect.any(Number), p95_ms: expect.any(Number) },
      ]);
      const [llm, template] = body.node_types;
      expect(Math.abs(llm.p50_ms - 55)).toBeLessThanOrEqual(55 * 0.022);
      expect(Math.abs(llm.p95_ms - 95.5)).toBeLessThanOrEqual(95.5 * 0.022);
      expect(Math.abs(template.p50_ms - 5)).toBeLessThanOrEqual(0.11);
      expect(Math.abs(template.p95_ms - 5.9)).toBeLessThanOrEqual(0.13);
    });

    it("ends a window ending mid-day with that (partial) day, starting 7 whole days back", async () => {
      const body = (await get(`/api/v1/bots/${botId}/statistics?window=7d&to=2026-01-08T12:00:00Z`)).json();
      expect(body).toMatchObject({ from: "2026-01-02T00:00:00.000Z", to: "2026-01-08T12:00:00.000Z" });
      expect(body.buckets.map((b: { start: string }) => b.start.slice(0, 10))).toEqual([
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
        "2026-01-05",
        "2026-01-06",
        "2026-01-07",
        "2026-01-08",
      ]);
      // the run at 23:59:59 on the 2nd is in now, and those of the 8th before noon
      expect(body.buckets.map((b: { total: number }) => b.total)).toEqual([1, 0, 4, 0, 0, 0, 3]);
      expect(body.total_runs).toBe(8);
    });

    it("buckets the 24h window by hour", async () => {
      const body = (await get(`/api/v1/bots/${botId}/statistics?window=24h&to=2026-01-08T12:00:00Z`)).json();
      expect(body).toMatchObject({ bucket: "hour", from: "2026-01-07T12:00:00.000Z", total_runs: 3 });
      expect(body.buckets).toHaveLength(24);
      const busy = body.buckets.filter((b: { total: number }) => b.total > 0);
      expect(busy).toEqual([
        {
          start: "2026-01-08T06:00:00.000Z",
          total: 3,
          by_status: { interrupted: 1, running: 1, succeeded: 1 },
          tokens: { input: 4, output: 6 },
          queue_wait: { runs: 0, avg_ms: null },
        },
      ]);
    });

    it("answers a window with no runs with zero counts and a null failure rate", async () => {
      const body = (await get(`/api/v1/bots/${botId}/statistics?window=30d&to=2025-06-01T00:00:00Z`)).json();
      expect(body).toMatchObject({ total_runs: 0, failure_rate: null, node_types: [] });
      expect(body.buckets).toHaveLength(30);
    });

    it("counts queue wait time (queued → started) per bucket and overall, leaving out runs still queued", async () => {
      const waiting = (await t.storage.bots.create({ name: "stats-queue" })).id;
      await seed(waiting, [
        { at: "2026-02-02T10:00:00Z", status: "succeeded", queuedMs: 100 },
        { at: "2026-02-02T11:00:00Z", status: "failed", queuedMs: 300 },
        { at: "2026-02-03T09:00:00Z", status: "succeeded", queuedMs: 1000 },
        { at: "2026-02-03T09:30:00Z", status: "succeeded" }, // inline run: never queued
        { at: "2026-02-03T10:00:00Z", status: "queued", queuedMs: 0 }, // still waiting: no wait yet
      ]);
      // 12:00 on the 3rd: the 2nd is a whole day (the rollup), the 3rd a partial one (its last hour from the runs)
      const body = (await get(`/api/v1/bots/${waiting}/statistics?window=7d&to=2026-02-03T12:00:00Z`)).json();
      expect(body.queue_wait).toEqual({ runs: 3, avg_ms: 466.667 }); // to the µs
      expect(body.by_status).toEqual({ succeeded: 3, failed: 1, queued: 1 });
      expect(body.buckets.slice(-2).map((b: { queue_wait: unknown }) => b.queue_wait)).toEqual([
        { runs: 2, avg_ms: 200 },
        { runs: 1, avg_ms: 1000 },
      ]);
      expect(body.finished_runs).toBe(4);
    });

    it("serves the deprecated /workflow-executions/statistics path with the same answer", async () => {
      const query = "window=7d&to=2026-01-10T00:00:00Z";
      const current = await get(`/api/v1/bots/${botId}/statistics?${query}`);
      const alias = await get(`/api/v1/bots/${botId}/workflow-executions/statistics?${query}`);
      expect(alias.statusCode).toBe(200);
      expect(alias.json()).toEqual(current.json());
      const bad = await get(`/api/v1/bots/${botId}/workflow-executions/statistics?from=2026-01-01T00:00:00Z`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toContain("from");
      const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
      expect(doc.paths["/api/v1/bots/{bot_id}/workflow-executions/statistics"]?.get?.deprecated).toBe(true);
    });

    it("refuses an unknown window or a malformed end with a 400 naming the field", async () => {
      const window = await get(`/api/v1/bots/${botId}/statistics?window=1y`);
      expect(window.statusCode).toBe(400);
      expect(window.json().error.code).toBe("validation_error");
      expect(window.json().error.message).toContain("window");
      const to = await get(`/api/v1/bots/${botId}/statistics?to=yesterday`);
      expect(to.statusCode).toBe(400);
      expect(to.json().error.message).toContain("to");
      expect((await get("/api/v1/bots/no-such-bot/statistics")).statusCode).toBe(404);
    });

    it("is described in /openapi.json", async () => {
      const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
      expect(doc.paths["/api/v1/bots/{bot_id}/statistics"]?.get?.summary).toMatch(/statistics/);
    });
  });
}
