import type { StoredRunStatus, WorkflowRun } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { strictObject } from "../strict-object.ts";
import { findBot } from "./bot-routes.ts";
import { nodeExecutionSchema, storedErrorSchema, toNodeExecutionResponse } from "./node-execution-schema.ts";

const RUN_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "partial-succeeded",
  "failed",
  "cancelled",
  "interrupted",
] as const;

const errorSchema = storedErrorSchema;
const tokensSchema = z.object({ input: z.number(), output: z.number() });

const runSchema = z
  .object({
    id: z.string(),
    bot_id: z.string().nullable(),
    workflow_version_id: z.string().nullable(),
    status: z.enum(RUN_STATUSES),
    trigger: z.string(),
    inputs: z.unknown(),
    outputs: z.unknown(),
    error: errorSchema,
    total_steps: z.number(),
    tokens: tokensSchema,
    elapsed_ms: z.number().nullable(),
    session_id: z.string().nullable(),
    resumed_from: z.string().nullable().describe("the run this one resumed (null for a fresh run or a rerun)"),
    truncated: z.boolean(),
    started_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .meta({ id: "WorkflowExecution" });

function toStoredError(error: WorkflowRun["error"]): z.output<typeof errorSchema> {
  if (error === null) return null;
  return {
    message: error.message,
    ...(error.code !== undefined && { code: error.code }),
    ...(error.nodeId !== undefined && { node_id: error.nodeId }),
  };
}

function toRunResponse(run: WorkflowRun): z.output<typeof runSchema> {
  return {
    id: run.id,
    bot_id: run.botId,
    workflow_version_id: run.workflowVersionId,
    status: run.status,
    trigger: run.trigger,
    inputs: run.inputs,
    outputs: run.outputs,
    error: toStoredError(run.error),
    total_steps: run.totalSteps,
    tokens: run.tokens,
    elapsed_ms: run.elapsedMs,
    session_id: run.sessionId,
    resumed_from: run.resumedFrom,
    truncated: run.truncated,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}

const paramsSchema = z.object({ bot_id: identifier() });
const timeRange = {
  from: z.iso.datetime({ offset: true }).optional().describe("ISO 8601; started at or after"),
  to: z.iso.datetime({ offset: true }).optional().describe("ISO 8601; started before"),
};

function checkRange(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const range = {
    ...(from !== undefined && { from: new Date(from) }),
    ...(to !== undefined && { to: new Date(to) }),
  };
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) {
    throw new AppError(400, "validation_error", "invalid request: query.from: must not be after query.to", {
      issues: [{ path: "query.from", message: "must not be after query.to" }],
    });
  }
  return range;
}

/**
 * `/api/v1/bots/{bot_id}/workflow-executions`: run history, one run with its nodes. Its `statistics`
 * path is a deprecated alias of `/api/v1/bots/{bot_id}/statistics` (statistics-routes.ts).
 */
export function workflowExecutionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const runs = ctx.storage.runs;
  return async (app) => {
    const base = "/bots/:bot_id/workflow-executions";

    app.get(
      base,
      {
        schema: {
          operationId: "listWorkflowExecutions",
          tags: ["workflow-executions"],
          summary: "Runs of a bot, newest first, with a cursor",
          params: paramsSchema,
          querystring: strictObject({
            limit: z.coerce.number().int().min(1).max(200).default(20),
            cursor: z
              .string()
              .min(1)
              .max(500)
              .optional()
              .describe("next_cursor of the previous page, unchanged (anything else answers 400 invalid_cursor)"),
            status: z
              .string()
              .optional()
              .describe(`one status or several, comma-separated: ${RUN_STATUSES.join(", ")}`)
              .transform((s) => s?.split(",").map((v) => v.trim()))
              .pipe(z.array(z.enum(RUN_STATUSES)).optional()),
            trigger: z.enum(["chat", "api", "debug", "cli"]).optional(),
            session_id: identifier().optional(),
            ...timeRange,
          }),
          response: {
            200: z.object({ items: z.array(runSchema), next_cursor: z.string().nullable() }),
            ...errorResponses(400, 401, 404, 429),
          },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const q = request.query;
        const list = await runs.list(bot.id, {
          limit: q.limit,
          ...(q.cursor !== undefined && { cursor: q.cursor }),
          ...(q.status !== undefined && { status: q.status as StoredRunStatus[] }),
          ...(q.trigger !== undefined && { trigger: q.trigger }),
          ...(q.session_id !== undefined && { sessionId: q.session_id }),
          ...checkRange(q.from, q.to),
        });
        return { items: list.items.map(toRunResponse), next_cursor: list.nextCursor };
      },
    );

    app.get(
      `${base}/:run_id`,
      {
        schema: {
          operationId: "getWorkflowExecution",
          tags: ["workflow-executions"],
          summary: "One run with its node executions",
          params: paramsSchema.extend({ run_id: identifier() }),
          response: {
            200: runSchema.extend({ node_executions: z.array(nodeExecutionSchema) }),
            ...errorResponses(401, 404, 429),
          },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const run = await runs.get(bot.id, request.params.run_id);
        if (run === undefined) throw AppError.notFound("workflow execution");
        return { ...toRunResponse(run), node_executions: run.nodes.map(toNodeExecutionResponse) };
      },
    );
  };
}
