import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { debugNodeSpec } from "../debug-node-spec.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { optionalBody } from "../optional-body.ts";
import { runNotRecordedError } from "../run-not-recorded.ts";
import { strictObject } from "../strict-object.ts";
import { findBot } from "./bot-routes.ts";
import { debugRunSchema, toDebugRunResponse } from "./workflow-version-routes.ts";

const paramsSchema = z.object({
  bot_id: identifier(),
  node_id: identifier().describe("a top-level node of the draft"),
});

const bodySchema = strictObject({
  inputs: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("values for the node's input ports, by port name (ports left out keep their sys/env/constant mappings)"),
  from_run: identifier()
    .optional()
    .describe("a run of this bot: the node's inputs are the outputs it recorded upstream"),
}).superRefine((body, ctx) => {
  const given = (body.inputs !== undefined ? 1 : 0) + (body.from_run !== undefined ? 1 : 0);
  if (given === 1) return;
  ctx.addIssue({
    code: "custom",
    path: given === 0 ? [] : ["from_run"],
    message: given === 0 ? 'give either "inputs" or "from_run"' : 'give either "inputs" or "from_run", not both',
  });
});

/** `POST /api/v1/bots/{bot_id}/workflow-versions/draft/nodes/{node_id}/run`: one node of the draft, alone. */
export function debugNodeRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/bots/:bot_id/workflow-versions/draft/nodes/:node_id/run",
      {
        schema: {
          operationId: "runDraftNode",
          tags: ["workflow-versions"],
          summary: "Run one node of the draft alone, for debugging (recorded with trigger `debug`)",
          description:
            "Exactly one of `inputs` (values for the node's input ports) or `from_run` (a run of this bot: the node " +
            "reads the outputs that run recorded upstream of it; 409 `inputs_not_recorded` naming the upstream node " +
            "when it has none). The run records one node execution; `outputs` are the node's outputs. Unknown node: " +
            "404 naming it; the start node, containers and nodes inside a container: 409 `node_not_debuggable`.",
          params: paramsSchema,
          body: optionalBody(bodySchema),
          response: { 200: debugRunSchema, ...errorResponses(400, 401, 404, 409, 422, 429, 503) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const nodeId = request.params.node_id;
        const { inputs, from_run } = request.body;
        const spec = await debugNodeSpec(
          ctx,
          bot.id,
          nodeId,
          from_run !== undefined ? { fromRun: from_run } : { inputs: inputs ?? {} },
        );
        const result = await (await ctx.runService.start(spec)).result;
        const unrecorded = runNotRecordedError(result);
        if (unrecorded !== undefined) throw unrecorded;
        const recorded = await ctx.storage.runs.get(bot.id, result.runId);
        if (recorded === undefined) {
          throw new AppError(503, "run_not_recorded", "the debug run's record could not be read back; retry shortly", {
            run_id: result.runId,
          });
        }
        const node = result.nodes.find((n) => n.nodeId === nodeId);
        return { ...toDebugRunResponse(result, recorded), outputs: { ...(node?.outputs ?? {}) } };
      },
    );
  };
}
