import { SECRET_NAME_PATTERN } from "@portflow/nodes";
import { SECRET_KEY_SETTING, SecretKeyMissingError } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { errorResponses } from "../error-schema.ts";
import { strictObject } from "../strict-object.ts";
import { findBot } from "./bot-routes.ts";

/** Largest secret value accepted, in characters. */
export const MAX_SECRET_VALUE_LENGTH = 16_384;

const secretParams = z.object({
  bot_id: z.string().min(1),
  name: z
    .string()
    .regex(SECRET_NAME_PATTERN, "a secret name is a letter or _ followed by up to 63 letters, digits or _"),
});

const secretNameSchema = z
  .object({ name: z.string(), created_at: z.string(), updated_at: z.string() })
  .meta({ id: "BotSecretName" });

/** 409 naming the setting when the server has no key to encrypt under. */
function rethrowKeyMissing(error: unknown): never {
  if (error instanceof SecretKeyMissingError) {
    throw AppError.conflict(error.message, { setting: SECRET_KEY_SETTING });
  }
  throw error;
}

/**
 * `/api/v1/bots/{bot_id}/secrets`: set, delete and list a bot's secrets (admin keys, or a bot key
 * for its bot). Values go in and are never read back: the list holds names and times only.
 */
export function secretRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/bots/:bot_id/secrets",
      {
        schema: {
          operationId: "listBotSecrets",
          tags: ["secrets"],
          summary: "List a bot's secrets: names and times, never values",
          params: z.object({ bot_id: z.string().min(1) }),
          response: { 200: z.object({ items: z.array(secretNameSchema) }), ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const names = await ctx.storage.botSecrets.list(bot.id);
        return {
          items: names.map((s) => ({
            name: s.name,
            created_at: s.createdAt.toISOString(),
            updated_at: s.updatedAt.toISOString(),
          })),
        };
      },
    );

    app.put(
      "/bots/:bot_id/secrets/:name",
      {
        schema: {
          operationId: "setBotSecret",
          tags: ["secrets"],
          summary: `Set a secret (encrypted at rest under ${SECRET_KEY_SETTING}; 409 when it is not configured)`,
          params: secretParams,
          body: strictObject({ value: z.string().min(1).max(MAX_SECRET_VALUE_LENGTH) }),
          response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        await ctx.storage.botSecrets.set(bot.id, request.params.name, request.body.value).catch(rethrowKeyMissing);
        return reply.status(204).send();
      },
    );

    app.delete(
      "/bots/:bot_id/secrets/:name",
      {
        schema: {
          operationId: "deleteBotSecret",
          tags: ["secrets"],
          summary: "Delete a secret",
          params: secretParams,
          response: { 204: z.undefined(), ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        if (!(await ctx.storage.botSecrets.delete(bot.id, request.params.name))) throw AppError.notFound("secret");
        return reply.status(204).send();
      },
    );
  };
}
