import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { findBot } from "./bot-routes.ts";

const variablesSchema = z
  .object({
    session_id: z.string(),
    variables: z.array(z.object({ name: z.string(), value: z.unknown(), updated_at: z.string() })),
  })
  .meta({ id: "SessionVariables" });

/** `GET /api/v1/bots/{bot_id}/sessions/{session_id}/variables`: a session's conversation variables. */
export function sessionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/bots/:bot_id/sessions/:session_id/variables",
      {
        schema: {
          operationId: "getSessionVariables",
          tags: ["sessions"],
          summary: "The conversation variables stored for one chat session",
          description: "Written by `assigner` nodes of runs that succeeded; empty for a session never seen.",
          params: z.object({ bot_id: identifier(), session_id: identifier() }),
          response: { 200: variablesSchema, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const rows = await ctx.storage.conversationVariables.list(bot.id, request.params.session_id);
        return {
          session_id: request.params.session_id,
          variables: rows.map((r) => ({ name: r.name, value: r.value, updated_at: r.updatedAt.toISOString() })),
        };
      },
    );
  };
}
