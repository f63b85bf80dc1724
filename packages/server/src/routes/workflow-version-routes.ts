import { importDifyDsl, modelMapSchema } from "@portflow/dify";
import type { RunResult } from "@portflow/engine";
import { ConflictError, NotFoundError, type RunWithNodes, type WorkflowVersion } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { saveConversation } from "../conversation-state.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { WORKFLOW_GRAPH_MARK } from "../openapi-document.ts";
import { optionalBody } from "../optional-body.ts";
import { runNotRecordedError } from "../run-not-recorded.ts";
import { RunService } from "../run-service.ts";
import { strictObject } from "../strict-object.ts";
import { multiLineText } from "../text-schema.ts";
import type { RunTarget } from "../workflow-runner.ts";
import { findBot } from "./bot-routes.ts";
import { nodeExecutionSchema, toNodeExecutionResponse } from "./node-execution-schema.ts";

const problemSchema = z.object({ path: z.string(), message: z.string(), code: z.string() });

const versionSchema = z
  .object({
    id: z.string(),
    bot_id: z.string(),
    status: z.enum(["draft", "published", "archived"]),
    version_number: z.number().nullable(),
    schema_version: z.number(),
    graph: z.unknown().meta({ [WORKFLOW_GRAPH_MARK]: true, description: "workflow JSON (V2, or V1)" }),
    checksum: z.string(),
    notes: z.string(),
    problems: z.array(problemSchema),
    valid: z.boolean(),
    revision: z.number().describe("draft revision; send it back as `revision` (or If-Match) when saving"),
    current: z.boolean(),
    restored_from_version_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    published_at: z.string().nullable(),
  })
  .meta({ id: "WorkflowVersion" });

export const debugRunSchema = z
  .object({
    run_id: z.string(),
    status: z.string(),
    outputs: z.record(z.string(), z.unknown()),
    error: z.object({ message: z.string(), node_id: z.string().optional(), code: z.string().optional() }).nullable(),
    elapsed_ms: z.number(),
    tokens: z.object({ input: z.number(), output: z.number() }),
    node_executions: z
      .array(nodeExecutionSchema)
      .describe("as recorded: the same shape as GET workflow-executions/{run_id}"),
  })
  .meta({ id: "DebugRun" });

const paramsSchema = z.object({ bot_id: identifier() });
const versionParamsSchema = paramsSchema.extend({
  version: identifier().describe("a version id or version number"),
});
const revisionSchema = z.number().int().min(0).optional();

function toVersionResponse(v: WorkflowVersion): z.output<typeof versionSchema> {
  return {
    id: v.id,
    bot_id: v.botId,
    status: v.status,
    version_number: v.versionNumber,
    schema_version: v.schemaVersion,
    graph: v.graph,
    checksum: v.checksum,
    notes: v.notes,
    problems: v.problems.map((p) => ({ path: p.path, message: p.message, code: p.code })),
    valid: v.valid,
    revision: v.revision,
    current: v.current,
    restored_from_version_id: v.restoredFromVersionId,
    created_at: v.createdAt.toISOString(),
    updated_at: v.updatedAt.toISOString(),
    published_at: v.publishedAt?.toISOString() ?? null,
  };
}

/** The debug run's answer: its result, with the node executions as they were recorded. */
export function toDebugRunResponse(result: RunResult, recorded: RunWithNodes): z.output<typeof debugRunSchema> {
  return {
    run_id: result.runId,
    status: result.status,
    outputs: { ...result.outputs },
    error: result.error ?? null,
    elapsed_ms: result.totals.elapsedMs,
    tokens: result.totals.tokens,
    node_executions: recorded.nodes.map(toNodeExecutionResponse),
  };
}

/** How a request names the draft revision it is based on, for 409 messages. */
interface RevisionFields {
  readonly revision: string;
  readonly force: string;
}
const BODY_FIELDS: RevisionFields = { revision: '"revision" in the body', force: '"force": true' };
const QUERY_FIELDS: RevisionFields = { revision: "?revision=", force: "?force=true" };

/** Storage's ConflictError talks of `expectedRevision`: answer in the request's own terms. */
function rethrowConflict(fields: RevisionFields): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof ConflictError)) throw error;
    const current = error.currentRevision;
    const message =
      current === undefined || current === 0
        ? `the draft changed or no longer exists: reload it and send its revision as ${fields.revision} (or If-Match)`
        : `the draft is at revision ${current}: reload it and send ${fields.revision} = ${current} (or If-Match: "${current}"), or ${fields.force} to overwrite it`;
    throw new AppError(409, "revision_conflict", message, {
      ...(current !== undefined && { current_revision: current }),
    });
  };
}

/** Storage's NotFoundError names ids; answer with the plain 404 instead. */
function rethrowNotFound(what: string): (error: unknown) => never {
  return (error) => {
    throw error instanceof NotFoundError ? AppError.notFound(what) : error;
  };
}

/** The revision from the body, else from an `If-Match: "<n>"` header. */
function expectedRevision(bodyRevision: number | undefined, ifMatch: string | undefined): number | undefined {
  if (bodyRevision !== undefined) return bodyRevision;
  const match = ifMatch === undefined ? null : /^\s*(?:W\/)?"?(\d+)"?\s*$/.exec(ifMatch);
  return match ? Number(match[1]) : undefined;
}

const importProblemSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
});

const YAML_TYPES = ["application/yaml", "application/x-yaml", "text/yaml"];

/** The JSON form of a Dify import: the YAML text and a model map. */
const importJsonBodySchema = z.strictObject({
  yaml: z.string().min(1).describe("the Dify .yml export"),
  model_map: modelMapSchema.optional().describe("Dify `provider/model` or `model` → Portflow `{provider, name}`"),
});

/** Imports the JSON form; a model_map that does not fit is a 400 naming each field. */
function importFromJson(body: unknown) {
  const parsed = importJsonBodySchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: ["body", ...i.path].join("."), message: i.message }));
    throw new AppError(
      400,
      "validation_error",
      `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      { issues },
    );
  }
  const { yaml, model_map } = parsed.data;
  return importDifyDsl(yaml, model_map !== undefined ? { modelMap: model_map } : {});
}

/** `/api/v1/bots/{bot_id}/workflow-versions`: versions, the draft, publish, restore, debug run, Dify import. */
export function workflowVersionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const versions = ctx.storage.workflowVersions;
  return async (app) => {
    const base = "/bots/:bot_id/workflow-versions";
    // Dify exports are YAML: kept as text here (the app's body limit applies), parsed by the importer.
    app.addContentTypeParser(YAML_TYPES, { parseAs: "string" }, (_request, body, done) => done(null, body));

    app.get(
      base,
      {
        schema: {
          operationId: "listWorkflowVersions",
          tags: ["workflow-versions"],
          summary: "Published and archived versions, newest first",
          params: paramsSchema,
          querystring: strictObject({
            limit: z.coerce.number().int().min(1).max(200).default(50),
            offset: z.coerce.number().int().min(0).default(0),
          }),
          response: {
            200: z.object({ items: z.array(versionSchema), total: z.number(), limit: z.number(), offset: z.number() }),
            ...errorResponses(400, 401, 404, 429),
          },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const page = await versions.list(bot.id, request.query);
        return { ...page, items: page.items.map(toVersionResponse) };
      },
    );

    app.get(
      `${base}/draft`,
      {
        schema: {
          operationId: "getDraft",
          tags: ["workflow-versions"],
          summary: "The draft (ETag carries its revision)",
          params: paramsSchema,
          response: { 200: versionSchema, ...errorResponses(401, 404, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const draft = await versions.getDraft(bot.id);
        if (draft === undefined) throw AppError.notFound("draft");
        return reply.header("etag", draft.etag).send(toVersionResponse(draft));
      },
    );

    app.put(
      `${base}/draft`,
      {
        schema: {
          operationId: "saveDraft",
          tags: ["workflow-versions"],
          summary: "Save the draft; returns it with its validation problems",
          description:
            "Pass the revision you last read (`revision`, or `If-Match`); a stale one answers 409. " +
            "`revision: 0`, or no revision, means you expect no draft yet: saving over an existing draft " +
            "without its revision is a 409 too, never a silent overwrite (`force: true` overwrites on purpose). " +
            "An invalid graph is saved with its problems.",
          params: paramsSchema,
          body: strictObject({
            graph: z.record(z.string(), z.unknown()).meta({
              [WORKFLOW_GRAPH_MARK]: true,
              description: "workflow JSON (V2, or V1); an invalid graph is saved with its problems",
            }),
            revision: revisionSchema,
            notes: multiLineText(2_000).optional(),
            force: z.boolean().optional().describe("overwrite whatever draft exists"),
          }),
          response: { 200: versionSchema, ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const { graph, notes, force } = request.body;
        const revision = expectedRevision(request.body.revision, request.headers["if-match"]);
        const draft = await versions
          .saveDraft(bot.id, graph, {
            ...(revision !== undefined && { expectedRevision: revision }),
            ...(force !== undefined && { force }),
            ...(notes !== undefined && { notes }),
          })
          .catch(rethrowConflict(BODY_FIELDS));
        return reply.header("etag", draft.etag).send(toVersionResponse(draft));
      },
    );

    app.post(
      `${base}/draft/import`,
      {
        schema: {
          operationId: "importDifyDraft",
          tags: ["workflow-versions"],
          summary: "Import a Dify DSL file (YAML) as the draft; returns it with the import problems and report",
          description:
            "Send the Dify export as the body with `Content-Type: application/yaml`. The draft is saved like " +
            "`PUT /draft` (pass the revision you last read as `?revision=` or `If-Match`; none means you expect no " +
            "draft yet; `?force=true` overwrites) and never published. A file that is not a Dify workflow or " +
            "chatflow app, malformed YAML, or tool/agent nodes answer 422 `dify_import_refused` with every problem. " +
            'To map Dify models, send JSON instead: `{"yaml": "<the export>", "model_map": {"openai/gpt-4o": ' +
            '{"provider": "bedrock", "name": "…"}}}`; a model not in the map runs on the server\'s configured provider.',
          params: paramsSchema,
          querystring: strictObject({
            revision: z.coerce.number().int().min(0).optional(),
            force: z.enum(["true", "false"]).optional(),
          }),
          consumes: [...YAML_TYPES, "application/json"],
          // the JSON form is checked field by field in the handler, so a bad model_map is named exactly
          body: z.union([
            z.string().describe("the Dify .yml export"),
            z.object({
              yaml: z.string().describe("the Dify .yml export"),
              model_map: z
                .record(z.string(), z.unknown())
                .optional()
                .describe('Dify `provider/model` or `model` → Portflow `{"provider": …, "name": …}`'),
            }),
          ]),
          response: {
            200: z.object({
              draft: versionSchema,
              problems: z.array(importProblemSchema),
              report: z.record(z.string(), z.unknown()).describe("what was mapped, approximated and dropped"),
            }),
            ...errorResponses(400, 401, 404, 409, 413, 415, 422, 429),
          },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const result = typeof request.body === "string" ? importDifyDsl(request.body) : importFromJson(request.body);
        if (result.workflow === undefined) {
          throw new AppError(422, "dify_import_refused", result.problems[0]?.message ?? "the file was not imported", {
            problems: result.problems,
            report: result.report,
          });
        }
        const revision = expectedRevision(request.query.revision, request.headers["if-match"]);
        const draft = await versions
          .saveDraft(bot.id, result.workflow, {
            ...(revision !== undefined && { expectedRevision: revision }),
            ...(request.query.force === "true" && { force: true }),
            notes: `imported from Dify${result.report.app?.name ? `: ${result.report.app.name}` : ""}`,
          })
          .catch(rethrowConflict(QUERY_FIELDS));
        return reply.header("etag", draft.etag).send({
          draft: toVersionResponse(draft),
          problems: [...result.problems],
          report: { ...result.report },
        });
      },
    );

    app.post(
      `${base}/draft/publish`,
      {
        schema: {
          operationId: "publishDraft",
          tags: ["workflow-versions"],
          summary: "Publish the draft as the next version (refused with every problem when invalid)",
          description:
            "201 with the new version. A draft whose checksum is the current version's publishes nothing: " +
            "200 with the current version as it is (publishing twice is idempotent; no new number).",
          params: paramsSchema,
          body: optionalBody(strictObject({ revision: revisionSchema, notes: multiLineText(2_000).optional() })),
          response: {
            200: versionSchema.describe("the draft is unchanged: the current version"),
            201: versionSchema,
            ...errorResponses(400, 401, 404, 409, 422, 429),
          },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const revision = expectedRevision(request.body.revision, request.headers["if-match"]);
        const published = await versions
          .publish(bot.id, {
            ...(revision !== undefined && { expectedRevision: revision }),
            ...(request.body.notes !== undefined && { notes: request.body.notes }),
          })
          .catch(rethrowNotFound("draft"))
          .catch(rethrowConflict(BODY_FIELDS));
        // the storage hands back the version that was already current when nothing changed
        const unchanged = published.id === bot.publishedVersionId;
        return reply.status(unchanged ? 200 : 201).send(toVersionResponse(published));
      },
    );

    app.post(
      `${base}/draft/run`,
      {
        schema: {
          operationId: "runDraft",
          tags: ["workflow-versions"],
          summary: "Run the draft once for debugging (recorded with trigger `debug`)",
          params: paramsSchema,
          body: optionalBody(
            strictObject(
              {
                inputs: z.record(z.string(), z.unknown()).default({}).describe("the start node's inputs, by name"),
                session_id: identifier().optional(),
              },
              { query: 'workflow inputs go inside "inputs": {"inputs": {"query": "..."}}' },
            ),
          ),
          response: { 200: debugRunSchema, ...errorResponses(400, 401, 404, 422, 429, 503) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const draft = await versions.getDraft(bot.id);
        if (draft === undefined) throw AppError.notFound("draft");
        const { inputs, session_id } = request.body;
        const query = typeof inputs.query === "string" ? inputs.query : undefined;
        const target: RunTarget = {
          kind: draft.schemaVersion === 2 ? "v2" : "v1",
          graph: draft.graph,
          workflowVersionId: draft.id,
          checksum: draft.checksum,
          cacheKey: `${draft.id}@${draft.checksum}`,
        };
        const handle = await ctx.runService.start(
          {
            spec_version: 1,
            bot_id: bot.id,
            target: RunService.targetSpec(target),
            inputs,
            history: [],
            system: {
              ...(query !== undefined && { query }),
              ...(session_id !== undefined && { session_id }),
            },
            trigger: "debug",
            ...(session_id !== undefined && { session_id }),
          },
          { target },
        );
        const result = await handle.result;
        const unrecorded = runNotRecordedError(result);
        if (unrecorded !== undefined) throw unrecorded;
        if (session_id !== undefined) await saveConversation(ctx.storage, bot.id, session_id, result);
        const recorded = await ctx.storage.runs.get(bot.id, result.runId);
        if (recorded === undefined) {
          throw new AppError(503, "run_not_recorded", "the debug run's record could not be read back; retry shortly", {
            run_id: result.runId,
          });
        }
        return toDebugRunResponse(result, recorded);
      },
    );

    app.get(
      `${base}/:version`,
      {
        schema: {
          operationId: "getWorkflowVersion",
          tags: ["workflow-versions"],
          summary: "One version, by id or number",
          params: versionParamsSchema,
          response: { 200: versionSchema, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const version = await versions.get(bot.id, request.params.version);
        if (version === undefined) throw AppError.notFound("workflow version");
        return toVersionResponse(version);
      },
    );

    app.post(
      `${base}/:version/restore`,
      {
        schema: {
          operationId: "restoreWorkflowVersion",
          tags: ["workflow-versions"],
          summary: "Copy a version's graph into the draft",
          params: versionParamsSchema,
          body: optionalBody(strictObject({ revision: revisionSchema })),
          response: { 200: versionSchema, ...errorResponses(400, 401, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const revision = expectedRevision(request.body.revision, request.headers["if-match"]);
        const draft = await versions
          .restore(bot.id, request.params.version, {
            ...(revision !== undefined && { expectedRevision: revision }),
          })
          .catch(rethrowNotFound("workflow version"))
          .catch(rethrowConflict(BODY_FIELDS));
        return reply.header("etag", draft.etag).send(toVersionResponse(draft));
      },
    );
  };
}
