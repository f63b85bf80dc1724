import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { WORKFLOW_V2_SCHEMA_PATH, workflowV2JsonSchema } from "../workflow-json-schema.ts";

/** `GET /schemas/workflow-v2.json`: the workflow JSON Schema for editors (no key needed). */
export function schemaRoutes(): FastifyPluginAsyncZod {
  const schema = workflowV2JsonSchema();
  return async (app) => {
    app.get(
      WORKFLOW_V2_SCHEMA_PATH,
      {
        schema: {
          operationId: "getWorkflowV2JsonSchema",
          tags: ["schemas"],
          summary: "JSON Schema (2020-12) of V2 workflow JSON, for editors (no key needed)",
          security: [],
          response: {
            200: {
              description: "the schema, as application/schema+json",
              content: { "application/schema+json": { schema: z.record(z.string(), z.unknown()) } },
            },
          },
        },
      },
      async (_request, reply) =>
        reply.type("application/schema+json").header("cache-control", "public, max-age=300").send(schema),
    );
  };
}
