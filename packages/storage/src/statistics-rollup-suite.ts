/**
 * The statistics rollups (migration 0012) against a direct aggregate over the runs, on whatever
 * database the storage suite runs on: random runs, then every way a run changes — submitted,
 * started from the queue, finished, cancelled in the queue, swept, resumed, deleted by retention,
 * deleted with its bot — and after each, every window agrees with the direct answer.
 */
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { expect, it } from "vitest";
import type { BotStatistics, StatisticsWindow } from "./bot-statistics-repository.ts";
import type { Storage } from "./create-storage.ts";
import { prng } from "./prng.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATUSES = ["queued", "running", "succeeded", "partial-succeeded", "failed", "cancelled", "interrupted"];
const NODE_TYPES = ["start", "knowledge", "llm"];

interface Direct {
  readonly buckets: Map<number, { total: number; byStatus: Record<string, number>; input: number; output: number }>;
  readonly waited: number;
  readonly waitMs: number;
  readonly nodes: Map<string, { executions: number; failures: number; p50: number; p95: number }>;
}

/** What the statistics must say, computed the slow way: straight from the runs and node executions. */
async function direct(storage: Storage, botId: string, stats: BotStatistics): Promise<Direct> {
  const db = storage.database.db;
  const step = stats.bucket === "hour" ? 3600 : 86400;
  const { rows } = await sql<Record<string, unknown>>`
    SELECT floor(extract(epoch FROM started_at) / ${sql.lit(step)}) * ${sql.lit(step)} AS bucket, status,
      count(*) AS n, sum(input_tokens) AS input, sum(output_tokens) AS output,
      count(*) FILTER (WHERE queued_at IS NOT NULL AND status <> 'queued' AND started_at <> queued_at) AS waited,
      coalesce(sum(greatest(0, extract(epoch FROM started_at - queued_at) * 1000))
        FILTER (WHERE queued_at IS NOT NULL AND status <> 'queued' AND started_at <> queued_at), 0) AS wait_ms
    FROM workflow_execution_runs
    WHERE bot_id = ${botId} AND started_at >= ${stats.from} AND started_at < ${stats.to}
    GROUP BY 1, 2`.execute(db);
  const buckets: Direct["buckets"] = new Map();
  let waited = 0;
  let waitMs = 0;
  for (const row of rows) {
    const key = Number(row.bucket) * 1000;
    const entry = buckets.get(key) ?? { total: 0, byStatus: {}, input: 0, output: 0 };
    entry.total += Number(row.n);
    entry.byStatus[String(row.status)] = Number(row.n);
    entry.input += Number(row.input);
    entry.output += Number(row.output);
    buckets.set(key, entry);
    waited += Number(row.waited);
    waitMs += Number(row.wait_ms);
  }
  const { rows: nodeRows } = await sql<Record<string, unknown>>`
    SELECT node_type, count(*) AS n, count(*) FILTER (WHERE status = 'failed') AS failures,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY elapsed_ms) AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY elapsed_ms) AS p95
    FROM workflow_node_executions
    WHERE bot_id = ${botId} AND finished_at >= ${stats.from} AND finished_at < ${stats.to}
    GROUP BY 1`.execute(db);
  const nodes: Direct["nodes"] = new Map(
    nodeRows.map((r) => [
      String(r.node_type),
      { executions: Number(r.n), failures: Number(r.failures), p50: Number(r.p50), p95: Number(r.p95) },
    ]),
  );
  return { buckets, waited, waitMs, nodes };
}

async function expectExact(storage: Storage, botId: string, when: string, to: Date): Promise<void> {
  for (const window of ["24h", "7d", "30d", "90d"] as StatisticsWindow[]) {
    const stats = await storage.statistics.forWindow(botId, { window, to });
    const want = await direct(storage, botId, stats);
    const label = `${when}, ${window} to ${to.toISOString()}`;
    const got = new Map(
      stats.buckets
        .filter((b) => b.total > 0)
        .map((b) => [
          b.start.getTime(),
          { total: b.total, byStatus: b.byStatus, input: b.tokens.input, output: b.tokens.output },
        ]),
    );
    expect(got, label).toEqual(want.buckets);
    const totalRuns = [...want.buckets.values()].reduce((sum, b) => sum + b.total, 0);
    expect(stats.totalRuns, label).toBe(totalRuns);
    expect(stats.queueWait.runs, label).toBe(want.waited);
    if (want.waited > 0) expect(stats.queueWait.avgMs, label).toBeCloseTo(want.waitMs / want.waited, 2);
    else expect(stats.queueWait.avgMs, label).toBeNull();
    expect(
      stats.nodeTypes.map((n) => n.nodeType),
      label,
    ).toEqual([...want.nodes.keys()].sort());
    for (const n of stats.nodeTypes) {
      const exact = want.nodes.get(n.nodeType)!;
      expect({ executions: n.executions, failures: n.failures }, label).toEqual({
        executions: exact.executions,
        failures: exact.failures,
      });
      // within one latency bucket (2.2 %), then rounded to 0.1 ms
      expect(Math.abs(n.p50Ms - exact.p50), `${label} ${n.nodeType} p50`).toBeLessThanOrEqual(exact.p50 * 0.022 + 0.05);
      expect(Math.abs(n.p95Ms - exact.p95), `${label} ${n.nodeType} p95`).toBeLessThanOrEqual(exact.p95 * 0.022 + 0.05);
    }
  }
}

/** Registers the rollup test inside the storage suite's `describe`. */
export function itKeepsStatisticsRollupsExact(getStorage: () => Storage): void {
  it("statistics from the rollups equal a direct aggregate over random runs, through every way a run changes", async () => {
    const storage = getStorage();
    const db = storage.database.db;
    const random = prng(20260112);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const bot = await storage.bots.create({ name: `rollup-${randomUUID().slice(0, 8)}` });
    const other = await storage.bots.create({ name: `rollup-other-${randomUUID().slice(0, 8)}` });
    const now = Date.now();

    // Random history over the last 40 days, for both bots: any status, some queued first, 0-3 nodes.
    for (const botId of [bot.id, other.id]) {
      for (let i = 0; i < 150; i++) {
        const id = randomUUID();
        const status = pick(STATUSES);
        const startedAt = new Date(now - random() * 40 * DAY);
        const queued = status === "queued" || random() < 0.5;
        const queuedAt = status === "queued" ? startedAt : new Date(startedAt.getTime() - random() * 2000);
        await db
          .insertInto("workflow_execution_runs")
          .values({
            id,
            bot_id: botId,
            workflow_version_id: null,
            status,
            trigger: pick(["chat", "api", "debug"]),
            inputs: "{}",
            input_tokens: Math.floor(random() * 500),
            output_tokens: Math.floor(random() * 500),
            elapsed_ms: random() * 5000,
            session_id: null,
            started_at: startedAt,
            finished_at: status === "running" || status === "queued" ? null : new Date(startedAt.getTime() + 5000),
            queued_at: queued ? queuedAt : null,
            ...(status === "running" && random() < 0.5 && { lease_expires_at: new Date(now - HOUR) }),
          })
          .execute();
        const nodes = status === "queued" ? 0 : Math.floor(random() * 4);
        for (let step = 0; step < nodes; step++) {
          const ms = random() < 0.1 ? 0 : Math.exp(random() * 9);
          const finishedAt = new Date(startedAt.getTime() + random() * 2 * HOUR);
          await db
            .insertInto("workflow_node_executions")
            .values({
              run_id: id,
              bot_id: botId,
              node_id: `n${step}`,
              node_type: pick(NODE_TYPES),
              step_index: step,
              status: random() < 0.2 ? "failed" : "succeeded",
              inputs: "{}",
              outputs: "{}",
              process_data: "{}",
              attempts: 1,
              input_tokens: 0,
              output_tokens: 0,
              elapsed_ms: ms,
              started_at: startedAt,
              finished_at: finishedAt,
            })
            .execute();
        }
      }
    }
    // `to` now (this hour read from the runs), two hours ahead (this hour and today read from the
    // rollups: where the runs changed below are counted), and mid-hour a few days back.
    const tos = () => [
      new Date(Date.now() + 1000),
      new Date(Date.now() + 2 * HOUR),
      new Date(now - 3 * DAY - 17 * 60_000 - 1234),
    ];
    for (const to of tos()) await expectExact(storage, bot.id, "random history", to);

    // Submitted; some started from the queue (with nodes), finished, or cancelled while queued.
    const submitted = Array.from({ length: 8 }, () => randomUUID());
    for (const id of submitted) {
      await storage.runSpecs.submit({ id, botId: bot.id, trigger: "chat", inputs: {}, spec: {} });
    }
    for (const [i, id] of submitted.slice(0, 5).entries()) {
      const startedAt = new Date(Date.now() + 5 + i);
      await storage.recorder.runStarted({ runId: id, botId: bot.id, trigger: "chat", inputs: {}, startedAt });
      await storage.recorder.nodeFinished({
        runId: id,
        nodeId: "llm",
        nodeType: "llm",
        stepIndex: 0,
        status: i === 0 ? "failed" : "succeeded",
        inputs: {},
        outputs: {},
        processData: {},
        attempts: 1,
        tokens: { input: 3, output: 4 },
        elapsedMs: 40 + i,
        startedAt,
        finishedAt: new Date(startedAt.getTime() + 40 + i),
      });
      if (i < 4) {
        await storage.recorder.runFinished({
          runId: id,
          status: i === 0 ? "failed" : "succeeded",
          outputs: {},
          totalSteps: 1,
          tokens: { input: 30 + i, output: 40 + i },
          elapsedMs: 41 + i,
          finishedAt: new Date(startedAt.getTime() + 41 + i),
        });
      }
    }
    await storage.runSpecs.finishQueued(submitted[5] as string, {
      status: "cancelled",
      error: { message: "cancelled", code: "cancelled" },
    });
    for (const to of tos()) await expectExact(storage, bot.id, "after submit, start, finish, cancel", to);

    // Swept (expired leases), then the failed run resumed: back to running, then succeeded.
    expect((await storage.runs.sweepInterrupted()).length).toBeGreaterThan(0);
    await storage.recorder.runStarted({
      runId: submitted[0] as string,
      botId: bot.id,
      trigger: "chat",
      inputs: {},
      startedAt: new Date(),
    });
    for (const to of tos()) await expectExact(storage, bot.id, "after sweep and resume", to);

    // Retention: finished runs older than 20 days go, with their node executions.
    expect(await storage.runs.deleteOlderThan(20, { botId: bot.id, batchSize: 7 })).toBeGreaterThan(0);
    for (const to of tos()) await expectExact(storage, bot.id, "after retention", to);

    // A deleted bot leaves no rollup rows and no statistics; the other bot keeps its own.
    await storage.bots.delete(other.id);
    const left = await sql<{ n: number }>`
      SELECT (SELECT count(*) FROM run_statistics_hourly WHERE bot_id = ${other.id})
           + (SELECT count(*) FROM node_statistics_daily WHERE bot_id = ${other.id}) AS n`.execute(db);
    expect(Number(left.rows[0]?.n)).toBe(0);
    expect((await storage.statistics.forWindow(other.id, { window: "90d" })).totalRuns).toBe(0);
    for (const to of tos()) await expectExact(storage, bot.id, "after the other bot's deletion", to);
  }, 120_000); // 300 runs written row by row, then 60 windows compared: minutes on a loaded machine
}
