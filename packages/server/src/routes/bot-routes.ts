import type { Bot } from "@portflow/storage";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../api-key-auth.ts";
import type { AppContext } from "../app-context.ts";
import { AppError } from "../app-error.ts";
import { errorResponses } from "../error-schema.ts";
import { identifier } from "../identifier-schema.ts";
import { assertAdmin, assertBotAccess } from "../principal.ts";
import { strictObject } from "../strict-object.ts";
import { multiLineText, singleLineText } from "../text-schema.ts";

const botStatusSchema = z.enum(["draft", "active", "inactive", "error"]);

export const botSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    status: botStatusSchema,
    use_workflow_v2: z.boolean(),
    legacy_workflow: z.unknown().describe("V1 workflow JSON, or null"),
    settings: z.record(z.string(), z.unknown()),
    published_version_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Bot" });

const createBotSchema = strictObject({
  name: singleLineText(200).min(1),
  description: multiLineText(2_000).optional(),
  status: botStatusSchema.optional(),
  use_workflow_v2: z.boolean().optional(),
  legacy_workflow: z.record(z.string(), z.unknown()).nullable().optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
});

const updateBotSchema = createBotSchema.partial();

export const botParamsSchema = z.object({ bot_id: identifier() });

export function toBotResponse(bot: Bot): z.output<typeof botSchema> {
  return {
    id: bot.id,
    name: bot.name,
    description: bot.description,
    status: bot.status,
    use_workflow_v2: bot.useWorkflowV2,
    legacy_workflow: bot.legacyWorkflow ?? null,
    settings: { ...bot.settings },
    published_version_id: bot.publishedVersionId,
    created_at: bot.createdAt.toISOString(),
    updated_at: bot.updatedAt.toISOString(),
  };
}

/** The bot, when the caller may see it; the same 404 otherwise. */
export async function findBot(ctx: AppContext, principal: Parameters<typeof assertBotAccess>[0], botId: string) {
  assertBotAccess(principal, botId);
  const bot = principal.bot?.id === botId ? principal.bot : await ctx.storage.bots.get(botId);
  if (bot === undefined) throw AppError.notFound("bot");
  return bot;
}

/** `/api/v1/bots`: create and list; get, patch and delete one. */
export function botRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      "/bots",
      {
        schema: {
          operationId: "createBot",
          tags: ["bots"],
          summary: "Create a bot (admin keys only)",
          body: createBotSchema,
          response: { 201: botSchema, ...errorResponses(400, 401, 403, 429) },
        },
      },
      async (request, reply) => {
        assertAdmin(principalOf(request), "creating a bot");
        const body = request.body;
        const bot = await ctx.storage.bots.create({
          name: body.name,
          ...(body.description !== undefined && { description: body.description }),
          ...(body.status !== undefined && { status: body.status }),
          ...(body.use_workflow_v2 !== undefined && { useWorkflowV2: body.use_workflow_v2 }),
          ...(body.legacy_workflow != null && { legacyWorkflow: body.legacy_workflow }),
          ...(body.settings !== undefined && { settings: body.settings }),
        });
        return reply.status(201).send(toBotResponse(bot));
      },
    );

    app.get(
      "/bots",
      {
        schema: {
          operationId: "listBots",
          tags: ["bots"],
          summary: "List the bots the key can reach",
          querystring: strictObject({
            limit: z.coerce.number().int().min(1).max(500).default(50),
            offset: z.coerce.number().int().min(0).default(0),
            status: botStatusSchema.optional(),
          }),
          response: {
            200: z.object({ items: z.array(botSchema), total: z.number(), limit: z.number(), offset: z.number() }),
            ...errorResponses(400, 401, 429),
          },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { limit, offset, status } = request.query;
        if (principal.botId !== null) {
          const bot = await ctx.storage.bots.get(principal.botId);
          const items = bot !== undefined && (status === undefined || bot.status === status) ? [bot] : [];
          return { items: items.slice(offset, offset + limit).map(toBotResponse), total: items.length, limit, offset };
        }
        const page = await ctx.storage.bots.list({ limit, offset, ...(status !== undefined && { status }) });
        return { items: page.items.map(toBotResponse), total: page.total, limit: page.limit, offset: page.offset };
      },
    );

    app.get(
      "/bots/:bot_id",
      {
        schema: {
          operationId: "getBot",
          tags: ["bots"],
          summary: "Get a bot",
          params: botParamsSchema,
          response: { 200: botSchema, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => toBotResponse(await findBot(ctx, principalOf(request), request.params.bot_id)),
    );

    app.patch(
      "/bots/:bot_id",
      {
        schema: {
          operationId: "updateBot",
          tags: ["bots"],
          summary: "Update a bot",
          params: botParamsSchema,
          body: updateBotSchema,
          response: { 200: botSchema, ...errorResponses(400, 401, 404, 429) },
        },
      },
      async (request) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        const body = request.body;
        const updated = await ctx.storage.bots.update(bot.id, {
          ...(body.name !== undefined && { name: body.name }),
          ...(body.description !== undefined && { description: body.description }),
          ...(body.status !== undefined && { status: body.status }),
          ...(body.use_workflow_v2 !== undefined && { useWorkflowV2: body.use_workflow_v2 }),
          ...(body.legacy_workflow !== undefined && { legacyWorkflow: body.legacy_workflow }),
          ...(body.settings !== undefined && { settings: body.settings }),
        });
        if (updated === undefined) throw AppError.notFound("bot");
        return toBotResponse(updated);
      },
    );

    app.delete(
      "/bots/:bot_id",
      {
        schema: {
          operationId: "deleteBot",
          tags: ["bots"],
          summary: "Delete a bot with its versions, runs and documents",
          params: botParamsSchema,
          response: { 204: z.undefined(), ...errorResponses(401, 404, 429) },
        },
      },
      async (request, reply) => {
        const bot = await findBot(ctx, principalOf(request), request.params.bot_id);
        if (!(await ctx.storage.bots.delete(bot.id))) throw AppError.notFound("bot");
        return reply.status(204).send();
      },
    );
  };
}
