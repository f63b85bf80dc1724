import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { saveConversation } from "../conversation-state.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { optionalBody } from "../optional-body.ts";
import { rerunSpec, resumeSpec } from "../run-attempt-spec.ts";
import { runNotRecordedError } from "../run-not-recorded.ts";
import type { RunSpec } from "../run-spec.ts";
import { SseStream } from "../sse-stream.ts";
import { strictObject } from "../strict-object.ts";
import { findBot } from "./bot-routes.ts";
import {
  acceptedAttemptSchema,
  preferHeadersSchema,
  prefersRespondAsync,
  startAttemptInBackground,
} from "./run-attempt-async.ts";
import { storedRunFinishedPayload, toRunEventPayload } from "./run-event-payload.ts";
import { debugRunSchema, toDebugRunResponse } from "./workflow-version-routes.ts";

const FINISHED = new Set(["succeeded", "partial-succeeded", "failed", "cancelled", "interrupted"]);
const SSE_PING_MS = 15_000;

const paramsSchema = z.object({ bot_id: identifier(), run_id: identifier() });

const attemptSchema = debugRunSchema
  .extend({ resumed_from: z.string().nullable().describe("the run this one continues (null for a rerun)") })
  .meta({ id: "RunAttempt" });

const cancelSchema = z
  .object({
    run_id: z.string(),
    outcome: z
      .enum(["cancelled", "stopping", "finished"])
      .describe("cancelled: it was queued and never ran; stopping: it is being aborted; finished: it had ended"),
  })
  .meta({ id: "RunCancel" });

/** `/api/v1/bots/{bot_id}/workflow-executions/{run_id}/{resume,rerun,cancel}`: runs controlled after they started. */
export function runControlRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  async function runAttempt(spec: RunSpec, resumedFrom: string | null) {
    const handle = await ctx.runService.start(spec);
    const result = await handle.result;
    const unrecorded = runNotRecordedError(result);
    if (unrecorded !== undefined) throw unrecorded;
    if (spec.session_id !== undefined) await saveConversation(ctx.storage, spec.bot_id, spec.session_id, result);
    const recorded = await ctx.storage.runs.get(spec.bot_id, result.runId);
    if (recorded === undefined) {
      throw new AppError(503, "run_not_recorded", "the run's record could not be read back; retry shortly", {
        run_id: result.runId,
      });
    }
    return { ...toDebugRunResponse(result, recorded), resumed_from: resumedFrom };
  }

  return async (app) => {
    const base = "/bots/:bot_id/workflow-executions/:run_id";

    app.post(
      `${base}/resume`,
      {
        schema: {
          tags: ["workflow-executions"],
          operationId: "resumeRun",
          summary: "Resume a failed, interrupted or cancelled run from its failed node (or from_node)",
          description:
            "A new run, linked by `resumed_from`: nodes that succeeded are not run again (their recorded outputs are " +
            "reused); the failed node and everything after it runs. `from_node` re-runs that node and everything " +
            "downstream of it too. `version` runs the new attempt on that published version of the bot, when it is " +
            "compatible up to the resume point: every node whose recorded output is reused exists there with the " +
            "same type, config, inputs and upstream edges; otherwise 409 `version_incompatible` naming the first such " +
            "node (`details.node_id`) and why (`details.reason`: missing, type changed, config changed, inputs " +
            "changed). Answers when the new run has finished, or at once (202, the new run id) with " +
            "`Prefer: respond-async`.",
          params: paramsSchema,
          headers: preferHeadersSchema,
          body: optionalBody(
            strictObject({
              from_node: identifier().optional().describe("re-run from this top-level node"),
              version: z
                .number()
                .int()
                .min(1)
                .optional()
                .describe("run on this published version number of the bot (compatible up to the resume point)"),
            }),
          ),
          response: {
            200: attemptSchema,
            202: acceptedAttemptSchema,
            ...errorResponses(400, 401, 404, 409, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const runId = request.params.run_id;
        const { from_node, version } = request.body;
        const spec = await resumeSpec(ctx, bot.id, runId, {
          ...(from_node !== undefined && { fromNode: from_node }),
          ...(version !== undefined && { version }),
        });
        if (prefersRespondAsync(request.headers.prefer)) {
          return reply.status(202).send(await startAttemptInBackground(ctx, spec, runId, request.log));
        }
        return runAttempt(spec, runId);
      },
    );

    app.post(
      `${base}/rerun`,
      {
        schema: {
          tags: ["workflow-executions"],
          operationId: "rerunRun",
          summary: "Run again from scratch with the same spec (inputs, history, version)",
          params: paramsSchema,
          headers: preferHeadersSchema,
          response: { 200: attemptSchema, 202: acceptedAttemptSchema, ...errorResponses(401, 404, 409, 422, 429, 503) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const fresh = await rerunSpec(ctx, bot.id, request.params.run_id);
        if (prefersRespondAsync(request.headers.prefer)) {
          return reply.status(202).send(await startAttemptInBackground(ctx, fresh, null, request.log));
        }
        return runAttempt(fresh, null);
      },
    );

    app.get(
      `${base}/events`,
      {
        schema: {
          tags: ["workflow-executions"],
          operationId: "streamRunEvents",
          summary: "Stream a run's events as Server-Sent Events, from any replica",
          description:
            "Each event's `data:` is JSON with its `type` and `run_id`, and an `id:`: `run.started` ({started_at}), " +
            "`node.started` ({node_id, node_type, attempt, parent_node_id, iteration_index}), `node.chunk` " +
            "({node_id, chunk, answer, …}), `node.retrying` ({node_id, attempt, delay_ms, error, …}), " +
            "`node.finished` / `node.failed` / `node.skipped` ({node_execution}: a `NodeExecution`, as the run " +
            "detail shows it, with `id` null), `run.finished` ({status, outputs, error, elapsed_ms, tokens, " +
            "total_steps, finished_at}). Reconnect with `Last-Event-ID` to continue after an event. Ends after " +
            "`run.finished`; for a run whose log has expired, only `run.finished` from its stored record.",
          params: paramsSchema,
          headers: z.object({
            "last-event-id": z
              .string()
              .regex(/^[0-9]{1,20}(-[0-9]{1,20})?$/, "must be an event id this stream sent")
              .optional(),
          }),
          response: errorResponses(400, 401, 404, 429),
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const runId = request.params.run_id;
        const stored = await ctx.storage.runSpecs.get(runId);
        if (stored === undefined || stored.botId !== bot.id) throw AppError.notFound("workflow execution");
        const after = request.headers["last-event-id"];
        const finished = FINISHED.has(stored.status);
        const sse = SseStream.open(reply, { "x-portflow-run-id": runId });
        const keepAlive = setInterval(() => sse.ping(), SSE_PING_MS);
        let sent = false;
        try {
          for await (const { id, event } of ctx.runEvents.read(runId, {
            ...(after !== undefined && { after }),
            signal: sse.signal,
            ...(finished && { waitMs: 0 }),
          })) {
            sent = true;
            sse.send(event.type, toRunEventPayload(event), id);
          }
          const run = !sent && finished && after === undefined ? await ctx.storage.runs.get(bot.id, runId) : undefined;
          if (run !== undefined) sse.send("run.finished", storedRunFinishedPayload(run));
        } finally {
          clearInterval(keepAlive);
          sse.close();
        }
        return reply;
      },
    );

    app.post(
      `${base}/cancel`,
      {
        schema: {
          tags: ["workflow-executions"],
          operationId: "cancelRun",
          summary: "Cancel a queued or running run, wherever it runs",
          params: paramsSchema,
          response: { 202: cancelSchema, ...errorResponses(401, 404, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const run = await ctx.storage.runs.get(bot.id, request.params.run_id);
        if (run === undefined) throw AppError.notFound("workflow execution");
        const outcome = await ctx.runService.cancel(run.id);
        return reply.status(202).send({ run_id: run.id, outcome });
      },
    );
  };
}
