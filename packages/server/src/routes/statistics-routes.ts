import { type BotStatistics, STATISTICS_WINDOWS, type StatisticsWindow } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { strictObject } from "../strict-object.ts";
import { findBot } from "./bot-routes.ts";

const tokensSchema = z.object({ input: z.number(), output: z.number() });

const botStatisticsSchema = z
  .object({
    window: z.enum(STATISTICS_WINDOWS as [StatisticsWindow, ...StatisticsWindow[]]),
    bucket: z.enum(["hour", "day"]).describe("`hour` for the 24h window, else `day` (UTC)"),
    from: z.string(),
    to: z.string(),
    total_runs: z.number(),
    finished_runs: z.number().describe("runs that ended (not running or queued)"),
    failed_runs: z.number().describe("failed or interrupted"),
    failure_rate: z.number().nullable().describe("failed_runs / finished_runs; null when none finished"),
    tokens: tokensSchema,
    buckets: z
      .array(
        z.object({
          start: z.string(),
          total: z.number(),
          by_status: z.record(z.string(), z.number()),
          tokens: tokensSchema,
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

function toResponse(s: BotStatistics): z.output<typeof botStatisticsSchema> {
  return {
    window: s.window,
    bucket: s.bucket,
    from: s.from.toISOString(),
    to: s.to.toISOString(),
    total_runs: s.totalRuns,
    finished_runs: s.finishedRuns,
    failed_runs: s.failedRuns,
    failure_rate: s.failureRate,
    tokens: { ...s.tokens },
    buckets: s.buckets.map((b) => ({
      start: b.start.toISOString(),
      total: b.total,
      by_status: { ...b.byStatus },
      tokens: { ...b.tokens },
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

/** `GET /api/v1/bots/{bot_id}/statistics`: runs per bucket by status, tokens, failure rate, node-type latency. */
export function statisticsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/bots/:bot_id/statistics",
      {
        schema: {
          tags: ["statistics"],
          operationId: "getBotStatistics",
          summary: "A bot's run statistics over a window ending now (or at `to`)",
          params: z.object({ bot_id: identifier() }),
          querystring: strictObject({
            window: z
              .enum(STATISTICS_WINDOWS as [StatisticsWindow, ...StatisticsWindow[]])
              .default("7d")
              .describe(STATISTICS_WINDOWS.join(", ")),
            to: z.iso.datetime({ offset: true }).optional().describe("ISO 8601 end of the window; default now"),
          }),
          response: { 200: botStatisticsSchema, ...errorResponses(400, 401, 404, 429) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const { window, to } = request.query;
        const stats = await ctx.storage.statistics.forWindow(bot.id, {
          window,
          ...(to !== undefined && { to: new Date(to) }),
        });
        return toResponse(stats);
      },
    );
  };
}
