import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { findBot } from "./bot-routes.ts";
import { toVectorIndexResponse, vectorIndexSchema } from "./vector-index-schema.ts";

/** `GET /api/v1/bots/{bot_id}/vector-index`: whether the bot's searches are exact or through its HNSW index, and why. */
export function vectorIndexRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/bots/:bot_id/vector-index",
      {
        schema: {
          operationId: "getVectorIndex",
          tags: ["documents"],
          summary: "A bot's HNSW index: its state, how searches run, and what measuring its recall found",
          params: z.object({ bot_id: identifier() }),
          response: { 200: vectorIndexSchema, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        return toVectorIndexResponse(bot.id, await ctx.storage.vectors.indexStatus(bot.id));
      },
    );
  };
}
