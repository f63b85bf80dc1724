import type { ApiKey } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { errorResponses } from "../error-schema.ts";
import { assertAdmin } from "../principal.ts";
import { strictObject } from "../strict-object.ts";

const scopeSchema = z
  .enum(["admin", "bot", "chat"])
  .describe("admin: everything; bot: everything of one bot; chat: only POST /api/v1/chat for one bot");

export const apiKeySchema = z
  .object({
    id: z.string(),
    prefix: z.string().describe("the first characters of the key, safe to show"),
    name: z.string(),
    scope: scopeSchema,
    bot_id: z.string().nullable(),
    source: z.enum(["created", "env"]).describe("env: adopted from PORTFLOW_ADMIN_KEY"),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .meta({ id: "ApiKey" });

const createdApiKeySchema = apiKeySchema
  .extend({ plaintext: z.string().describe("the key itself: shown only in this response, only its hash is stored") })
  .meta({ id: "CreatedApiKey" });

const createKeySchema = strictObject({
  name: z.string().trim().min(1).max(200),
  scope: scopeSchema,
  bot_id: z.string().min(1).optional().describe("required for bot and chat keys, refused for admin keys"),
}).superRefine((body, ctx) => {
  if (body.scope === "admin" && body.bot_id !== undefined) {
    ctx.addIssue({ code: "custom", path: ["bot_id"], message: "an admin key is not limited to a bot: omit bot_id" });
  }
  if (body.scope !== "admin" && body.bot_id === undefined) {
    ctx.addIssue({ code: "custom", path: ["bot_id"], message: `a ${body.scope} key needs the bot_id it is for` });
  }
});

function toApiKeyResponse(key: ApiKey): z.output<typeof apiKeySchema> {
  return {
    id: key.id,
    prefix: key.prefix,
    name: key.name,
    scope: key.scope,
    bot_id: key.botId,
    source: key.source,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

const ADMIN_ONLY = "managing API keys";

/** `/api/v1/keys`: list, create and revoke API keys (admin keys only). */
export function keyRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/keys",
      {
        schema: {
          operationId: "listApiKeys",
          tags: ["keys"],
          summary: "List API keys, revoked ones included (admin keys only)",
          querystring: strictObject({ bot_id: z.string().min(1).optional().describe("only this bot's keys") }),
          response: { 200: z.object({ items: z.array(apiKeySchema) }), ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request) => {
        assertAdmin(principalOf(request), ADMIN_ONLY);
        const botId = request.query.bot_id;
        if (botId !== undefined && (await ctx.storage.bots.get(botId)) === undefined) throw AppError.notFound("bot");
        const keys = await ctx.storage.apiKeys.list(botId);
        return { items: keys.map(toApiKeyResponse) };
      },
    );

    app.post(
      "/keys",
      {
        schema: {
          operationId: "createApiKey",
          tags: ["keys"],
          summary: "Create an API key; its plaintext is in this response only (admin keys only)",
          body: createKeySchema,
          response: { 201: createdApiKeySchema, ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        assertAdmin(principalOf(request), ADMIN_ONLY);
        const { name, scope, bot_id: botId } = request.body;
        // an unknown bot answers 404 (the storage maps the foreign-key violation)
        const created = await ctx.storage.apiKeys.create({ name, scope, botId: botId ?? null });
        return reply.status(201).send({ ...toApiKeyResponse(created.key), plaintext: created.plaintext });
      },
    );

    app.delete(
      "/keys/:key_id",
      {
        schema: {
          operationId: "revokeApiKey",
          tags: ["keys"],
          summary: "Revoke an API key: it answers 401 from its next request on (admin keys only)",
          params: z.object({ key_id: z.string().min(1) }),
          response: { 204: z.undefined(), ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        assertAdmin(principalOf(request), ADMIN_ONLY);
        if (!(await ctx.storage.apiKeys.revoke(request.params.key_id))) {
          throw new AppError(404, "not_found", "API key not found, or already revoked", { resource: "api_key" });
        }
        return reply.status(204).send();
      },
    );
  };
}
