/**
 * JSON Schemas of workflow JSON, generated from the engine's zod schemas: one for editors
 * (`GET /schemas/workflow-v2.json`) and the OpenAPI components the `graph` fields refer to.
 * @module
 */
import { workflowV1Schema, workflowV2Schema } from "@portflow/engine";
import { z } from "zod";

/** Where the server publishes the V2 schema (also its `$id` path). */
export const WORKFLOW_V2_SCHEMA_PATH = "/schemas/workflow-v2.json";

const TITLE_V2 = "Portflow workflow (V2, port-based)";
const DESCRIPTION_V2 =
  "The shape of V2 workflow JSON. Node configs are checked per node type when a draft is saved " +
  "(GET /api/v1/node-types lists each type's config schema); this schema covers the graph around them.";

/**
 * The V2 workflow JSON Schema (draft 2020-12), as an editor's `$schema` can point at.
 *
 * @example
 * { "$schema": "http://localhost:8001/schemas/workflow-v2.json", "schema_version": 2, "nodes": [] }
 */
export function workflowV2JsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(workflowV2Schema, { io: "input", unrepresentable: "any" }),
    $id: WORKFLOW_V2_SCHEMA_PATH,
    title: TITLE_V2,
    description: DESCRIPTION_V2,
  };
}

/**
 * Moves each `default` into the description. A stored graph reads back exactly as it was sent, so a
 * default is never a promise that the field is there, and generators (openapi-typescript) would
 * take it for one.
 */
function defaultsAsText(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return schema;
  const { default: fallback, ...rest } = schema as Record<string, unknown>;
  const out: Record<string, unknown> = { ...rest };
  // only where schemas sit: a property may itself be called "default" (a port's default value)
  if (isRecord(rest.properties)) {
    out.properties = Object.fromEntries(Object.entries(rest.properties).map(([k, v]) => [k, defaultsAsText(v)]));
  }
  for (const key of ["items", "additionalProperties", "not"]) if (key in rest) out[key] = defaultsAsText(rest[key]);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = rest[key];
    if (Array.isArray(list)) out[key] = list.map(defaultsAsText);
  }
  if (fallback === undefined) return out;
  const note = `default when absent: ${JSON.stringify(fallback)}`;
  return { ...out, description: typeof out.description === "string" ? `${out.description} (${note})` : note };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function openApiSchema(schema: z.ZodType, description: string): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "openapi-3.0",
  }) as Record<string, unknown>;
  return { ...(defaultsAsText(rest) as Record<string, unknown>), description };
}

/** `WorkflowV2` and `WorkflowV1` for `components.schemas` of the OpenAPI document (3.0 dialect). */
export function workflowOpenApiSchemas(): Record<string, Record<string, unknown>> {
  return {
    WorkflowV2: openApiSchema(workflowV2Schema, `${TITLE_V2}; also served as ${WORKFLOW_V2_SCHEMA_PATH}.`),
    WorkflowV1: openApiSchema(workflowV1Schema, "Legacy V1 workflow JSON (nodes with `data`, implicit context)."),
  };
}
