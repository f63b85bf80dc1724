import { type BotStatistics, type QueueWait, STATISTICS_WINDOWS, type StatisticsWindow } from "@portflow/storage";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { strictObject } from "../strict-object.ts";
import { findBot } from "./bot-routes.ts";

const tokensSchema = z.object({ input: z.number(), output: z.number() });
const queueWaitSchema = z
  .object({
    runs: z.number().describe("runs that started after being queued (not those still queued or cancelled there)"),
    avg_ms: z.number().nullable().describe("mean wait from queued to started; null when no run waited"),
  })
  .describe("queue wait time, queued → started");

const botStatisticsSchema = z
  .object({
    window: z.enum(STATISTICS_WINDOWS as [StatisticsWindow, ...StatisticsWindow[]]),
    bucket: z.enum(["hour", "day"]).describe("`hour` for the 24h window, else `day` (UTC)"),
    from: z.string(),
    to: z.string(),
    total_runs: z.number(),
    by_status: z.record(z.string(), z.number()).describe("runs per stored status, only statuses that occur"),
    finished_runs: z.number().describe("runs that ended (not running or queued)"),
    failed_runs: z.number().describe("failed or interrupted"),
    failure_rate: z.number().nullable().describe("failed_runs / finished_runs; null when none finished"),
    tokens: tokensSchema,
    queue_wait: queueWaitSchema,
    buckets: z
      .array(
        z.object({
          start: z.string(),
          total: z.number(),
          by_status: z.record(z.string(), z.number()),
          tokens: tokensSchema,
          queue_wait: queueWaitSchema,
        }),
      )
      .describe("every bucket of the window, oldest first, also the empty ones"),
    node_types: z.array(
      z.object({
        node_type: z.string(),
        executions: z.number(),
        failures: z.number(),
        p50_ms: z.number(),
        p95_ms: z.number(),
      }),
    ),
  })
  .meta({ id: "BotStatistics" });

const toQueueWait = (w: QueueWait): z.output<typeof queueWaitSchema> => ({ runs: w.runs, avg_ms: w.avgMs });

function toResponse(s: BotStatistics): z.output<typeof botStatisticsSchema> {
  return {
    window: s.window,
    bucket: s.bucket,
    from: s.from.toISOString(),
    to: s.to.toISOString(),
    total_runs: s.totalRuns,
    by_status: { ...s.byStatus },
    finished_runs: s.finishedRuns,
    failed_runs: s.failedRuns,
    failure_rate: s.failureRate,
    tokens: { ...s.tokens },
    queue_wait: toQueueWait(s.queueWait),
    buckets: s.buckets.map((b) => ({
      start: b.start.toISOString(),
      total: b.total,
      by_status: { ...b.byStatus },
      tokens: { ...b.tokens },
      queue_wait: toQueueWait(b.queueWait),
    })),
    node_types: s.nodeTypes.map((n) => ({
      node_type: n.nodeType,
      executions: n.executions,
      failures: n.failures,
      p50_ms: n.p50Ms,
      p95_ms: n.p95Ms,
    })),
  };
}

const querystring = strictObject({
  window: z
    .enum(STATISTICS_WINDOWS as [StatisticsWindow, ...StatisticsWindow[]])
    .default("7d")
    .describe(STATISTICS_WINDOWS.join(", ")),
  to: z.iso.datetime({ offset: true }).optional().describe("ISO 8601 end of the window; default now"),
});

/**
 * `GET /api/v1/bots/{bot_id}/statistics`: runs per bucket by status, tokens, failure rate, queue
 * wait, node-type latency. `GET /api/v1/bots/{bot_id}/workflow-executions/statistics` is a
 * deprecated alias served by the same handler, so the two can never disagree.
 */
export function statisticsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const params = z.object({ bot_id: identifier() });
    const response = { 200: botStatisticsSchema, ...errorResponses(400, 401, 404, 429) };
    const handler = async (
      request: FastifyRequest<{ Params: z.output<typeof params>; Querystring: z.output<typeof querystring> }>,
    ): Promise<z.output<typeof botStatisticsSchema>> => {
      const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
      const { window, to } = request.query;
      const stats = await ctx.storage.statistics.forWindow(bot.id, {
        window,
        ...(to !== undefined && { to: new Date(to) }),
      });
      return toResponse(stats);
    };
    app.get(
      "/bots/:bot_id/statistics",
      {
        schema: {
          tags: ["statistics"],
          operationId: "getBotStatistics",
          summary: "A bot's run statistics over a window ending now (or at `to`)",
          params,
          querystring,
          response,
        },
      },
      handler,
    );
    app.get(
      "/bots/:bot_id/workflow-executions/statistics",
      {
        schema: {
          tags: ["statistics"],
          operationId: "getWorkflowExecutionStatistics",
          summary: "Deprecated alias of GET /api/v1/bots/{bot_id}/statistics (same query, same answer)",
          deprecated: true,
          params,
          querystring,
          response,
        },
      },
      handler,
    );
  };
}
