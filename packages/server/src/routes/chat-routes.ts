import { randomUUID } from "node:crypto";
import type { RunHandle, RunResult } from "@portflow/engine";
import { type Bot, DATABASE_UNAVAILABLE } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { botWorkflowTarget } from "../bot-workflow-target.ts";
import { chatFiles, DEFAULT_CHAT_MAX_FILES, readChatMultipart } from "../chat-files.ts";
import { saveConversation } from "../conversation-state.ts";
import { databaseUnavailable, toErrorResponse } from "../error-handler.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { isRedisUnavailable } from "../redis-connection.ts";
import { runNotRecordedError } from "../run-not-recorded.ts";
import { RunService } from "../run-service.ts";
import { SseStream } from "../sse-stream.ts";
import { strictObject } from "../strict-object.ts";
import type { RunTarget } from "../workflow-runner.ts";
import { findBot } from "./bot-routes.ts";

const SSE_PING_MS = 15_000;

const chatRequestSchema = strictObject({
  bot_id: identifier(),
  message: z.string().min(1).max(32_000),
  session_id: identifier().optional().describe("continue a conversation; a new one when absent"),
  stream: z
    .boolean()
    .optional()
    .describe("answer with Server-Sent Events; when absent, `Accept: text/event-stream` asks for them"),
  user_id: identifier().optional().describe("the end user, as `sys.user_id`"),
});

const sourceSchema = z.record(z.string(), z.unknown()).meta({
  id: "ChatSource",
  description: "a retrieved chunk: document_id, chunk_index, content, score, metadata",
});

const chatResponseSchema = z
  .object({
    response: z.string(),
    sources: z.array(sourceSchema),
    session_id: z.string(),
    run_id: z.string(),
  })
  .meta({ id: "ChatResponse" });

/** The workflow a chat runs: the published V2 version when the bot uses V2, else its V1 workflow. */
async function chatTarget(ctx: AppContext, bot: Bot): Promise<RunTarget> {
  const found = await botWorkflowTarget(ctx.storage, bot);
  if (found !== undefined) return found.target;
  throw new AppError(
    409,
    "no_workflow",
    bot.useWorkflowV2
      ? "this bot has no workflow to run: publish a workflow version first (or give it a V1 legacy_workflow)"
      : "this bot has no workflow to run: it has no V1 legacy_workflow (or set use_workflow_v2 and publish a version)",
  );
}

function answerOf(result: RunResult): { response: string; sources: Record<string, unknown>[] } {
  const { answer, text, sources } = result.outputs as { answer?: unknown; text?: unknown; sources?: unknown };
  const response = typeof answer === "string" ? answer : typeof text === "string" ? text : "";
  const list = Array.isArray(sources)
    ? sources.filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null && !Array.isArray(s))
    : [];
  return { response, sources: list };
}

/** IngestError codes: the run failed on a document it was given. */
const UNREADABLE_DOCUMENT_CODES: ReadonlySet<string> = new Set([
  "EMPTY_FILE",
  "TOO_LARGE",
  "ARCHIVE_TOO_LARGE",
  "TOO_MANY_PAGES",
  "PARSE_LIMIT_EXCEEDED",
  "ENCRYPTED",
  "CORRUPT",
  "UNSUPPORTED_TYPE",
  "NO_TEXT",
]);

function runError(result: RunResult): AppError {
  const unrecorded = runNotRecordedError(result);
  if (unrecorded !== undefined) return unrecorded;
  if (result.status === "cancelled") {
    return new AppError(503, "run_cancelled", "the run was cancelled", { run_id: result.runId });
  }
  // a node (knowledge retrieval) could not reach the database: an outage, not a broken workflow
  if (result.error?.code === DATABASE_UNAVAILABLE) return databaseUnavailable({ run_id: result.runId });
  // an attached file that document-extractor could not read: the client's document, not the server
  if (result.error?.code !== undefined && UNREADABLE_DOCUMENT_CODES.has(result.error.code)) {
    return new AppError(422, "invalid_document", result.error.message, {
      run_id: result.runId,
      reason: result.error.code,
      ...(result.error.nodeId !== undefined && { node_id: result.error.nodeId }),
    });
  }
  return new AppError(500, "run_failed", result.error?.message ?? "the run failed", {
    run_id: result.runId,
    ...(result.error?.nodeId !== undefined && { node_id: result.error.nodeId }),
  });
}

/**
 * Streams the run's events as SSE, ending with `run.finished` (and `error` before it on failure).
 * `text` events carry the answer: the `answer` nodes' stream when the workflow has any, else the
 * streaming nodes' (LLM) chunks.
 */
function streamRun(
  sse: SseStream,
  handle: RunHandle,
  ids: { bot_id: string; session_id: string },
  answersOnly: boolean,
): void {
  handle.on("run.started", (e) => sse.send("run.started", { run_id: e.runId, ...ids }));
  handle.on("node.started", (e) =>
    sse.send("node.started", { node_id: e.nodeId, node_type: e.nodeType, attempt: e.attempt }),
  );
  handle.on("node.chunk", (e) => {
    if (answersOnly && e.answer !== true) return;
    sse.send("text", { node_id: e.nodeId, delta: e.chunk });
  });
  const finished = (e: { record: RunResult["nodes"][number] }) =>
    sse.send("node.finished", {
      node_id: e.record.nodeId,
      node_type: e.record.nodeType,
      status: e.record.status,
      elapsed_ms: e.record.elapsedMs,
      ...(e.record.error !== undefined && { error: e.record.error }),
      // as NodeExecution names them; a chat key (a widget) sees no node values, so not the whole record
      branch: e.record.branch ?? null,
      handled_by: e.record.handledBy ?? null,
    });
  handle.on("node.finished", finished);
  handle.on("node.failed", finished);
  handle.on("node.skipped", finished);
}

/** `POST /api/v1/chat`: one chat turn, as JSON or Server-Sent Events. */
export function chatRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/chat",
      {
        schema: {
          operationId: "chat",
          tags: ["chat"],
          summary: "Ask a bot (JSON, or Server-Sent Events with stream: true / Accept: text/event-stream)",
          description:
            "SSE events: `run.started`, `node.started`, `text` ({delta}), `node.finished`, `error`, " +
            "`run.finished` ({status, response, sources, session_id, run_id}). Disconnecting cancels the run. " +
            "As `multipart/form-data`, the same fields are text fields and each part named `files` (PDF, DOCX, " +
            "Markdown or text, upload size limit each) becomes a file of `sys.files`: 413 over a limit, 415 other types.",
          body: chatRequestSchema,
          response: { 200: chatResponseSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 422, 429, 500, 503) },
        },
        preValidation: readChatMultipart({
          maxUploadBytes: ctx.config.maxUploadBytes,
          maxFiles: ctx.config.chatMaxFiles ?? DEFAULT_CHAT_MAX_FILES,
        }),
      },
      async (request, reply) => {
        const body = request.body;
        const files = chatFiles(request);
        const bot = await findBot(ctx, principalOf(request), body.bot_id);
        if (bot.status === "inactive") {
          throw new AppError(409, "bot_inactive", "this bot is inactive: set its status to active to chat with it");
        }
        const target = await chatTarget(ctx, bot);
        const sessionId = body.session_id ?? randomUUID();
        // A session store outage costs the conversation its memory, not the answer (logged once an outage).
        const sessionFailed = (what: string) => (error: unknown) => {
          if (ctx.redisOutage !== undefined && isRedisUnavailable(error)) ctx.redisOutage.down(error);
          else request.log.warn({ err: error }, what);
        };
        const history = await ctx.sessions.history(bot.id, sessionId).catch((error: unknown) => {
          sessionFailed("could not read the chat session; answering without history")(error);
          return [];
        });

        // The client going away before the answer is written cancels the run.
        const client = new AbortController();
        reply.raw.once("close", () => {
          if (!reply.raw.writableFinished) client.abort(new Error("client disconnected"));
        });

        const handle = await ctx.runService.start(
          {
            spec_version: 1,
            bot_id: bot.id,
            target: RunService.targetSpec(target),
            inputs: { query: body.message, ...(files.length > 0 && { files }) },
            history,
            system: {
              query: body.message,
              session_id: sessionId,
              ...(body.user_id !== undefined && { user_id: body.user_id }),
              files: [...files], // empty for a message without files, as workflows that read it expect
            },
            trigger: "chat",
            session_id: sessionId,
          },
          { signal: client.signal, target },
        );
        const streaming = body.stream ?? (request.headers.accept ?? "").includes("text/event-stream"); // an explicit `stream` wins
        const sse = streaming
          ? SseStream.open(reply, {
              "x-portflow-run-id": handle.runId,
              // Percent-encoded: a header carries Latin-1 only, and the id may be any Unicode.
              "x-portflow-session-id": encodeURIComponent(sessionId),
            })
          : undefined;
        if (sse !== undefined) {
          const answersOnly = ctx.runner.compile(target).hasAnswers;
          streamRun(sse, handle, { bot_id: bot.id, session_id: sessionId }, answersOnly);
        }
        // Comment lines keep proxies from closing a stream that waits on a slow model.
        const keepAlive = sse === undefined ? undefined : setInterval(() => sse.ping(), SSE_PING_MS);

        const result = await handle.result
          .catch((error: unknown) => {
            if (sse === undefined) throw error;
            // The stream is open: an error here ends it with an `error` event, never a silent wait.
            sse.send("error", toErrorResponse(error).body.error);
            sse.close();
            return undefined;
          })
          .finally(() => clearInterval(keepAlive));
        if (result === undefined) return reply;
        const succeeded =
          (result.status === "succeeded" || result.status === "partial-succeeded") &&
          runNotRecordedError(result) === undefined;
        const answer = succeeded ? answerOf(result) : { response: "", sources: [] };
        if (succeeded) {
          // The session's variables move on with the run that changed them (never for a failed one).
          await saveConversation(ctx.storage, bot.id, sessionId, result);
          await ctx.sessions
            .appendTurn(bot.id, sessionId, body.message, answer.response)
            .catch(sessionFailed("could not save the chat session"));
        }
        if (sse !== undefined) {
          if (!succeeded) {
            const error = runError(result);
            sse.send("error", { code: error.code, message: error.message, details: error.details });
          }
          sse.send("run.finished", {
            run_id: result.runId,
            status: result.status,
            session_id: sessionId,
            elapsed_ms: result.totals.elapsedMs,
            ...answer,
          });
          sse.close();
          return reply;
        }
        if (!succeeded) throw runError(result);
        return reply
          .header("server-timing", `run;dur=${result.totals.elapsedMs.toFixed(2)}`)
          .header("x-portflow-run-id", result.runId)
          .send({ ...answer, session_id: sessionId, run_id: result.runId });
      },
    );
  };
}
