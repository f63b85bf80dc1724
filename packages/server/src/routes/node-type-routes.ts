import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../app-context.ts";
import { errorResponses } from "../error-schema.ts";
import { describeNodeTypes } from "../node-type-catalog.ts";

const portSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    required: z.boolean(),
    default: z.unknown().optional(),
    description: z.string().optional(),
  })
  .meta({ id: "NodeTypePort" });

const nodeTypeSchema = z
  .object({
    type: z.string(),
    description: z.string(),
    ports: z.object({ inputs: z.array(portSchema), outputs: z.array(portSchema) }),
    config_schema: z.record(z.string(), z.unknown()).describe("JSON Schema (2020-12) of the node's `config`"),
  })
  .meta({ id: "NodeType" });

/** `GET /api/v1/node-types`: every registered node type with its ports and config schema. */
export function nodeTypeRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  // computed once: the registry does not change while the app runs
  const body = {
    items: describeNodeTypes(ctx.registry).map((t) => ({
      ...t,
      ports: { inputs: [...t.ports.inputs], outputs: [...t.ports.outputs] },
      config_schema: { ...t.config_schema },
    })),
  };
  return async (app) => {
    app.get(
      "/node-types",
      {
        schema: {
          operationId: "listNodeTypes",
          tags: ["node-types"],
          summary: "Every node type with its ports (for the default config) and its config JSON Schema",
          response: { 200: z.object({ items: z.array(nodeTypeSchema) }), ...errorResponses(401, 403, 429) },
        },
      },
      async () => body,
    );
  };
}
