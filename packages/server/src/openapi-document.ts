/**
 * The last touches on the generated OpenAPI document: workflow `graph` fields refer to the
 * workflow schemas, chat's Server-Sent Events answer is described, and components nothing refers
 * to are dropped (the input copies of output-only schemas), so generators and `redocly lint` see
 * a clean document.
 * @module
 */
import { workflowOpenApiSchemas } from "./workflow-json-schema.ts";

/** Marks a zod schema (through `.meta`) as workflow JSON: the document refers it to WorkflowV2/V1. */
export const WORKFLOW_GRAPH_MARK = "x-portflow-workflow-graph";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null;

const SSE_DESCRIPTION =
  "With `stream: true` or `Accept: text/event-stream`: Server-Sent Events `run.started` " +
  "({run_id, bot_id, session_id}), `node.started` ({node_id, node_type, attempt}), `text` ({node_id, delta}), " +
  "`node.finished` ({node_id, node_type, status, elapsed_ms, error?, branch, handled_by}: `NodeExecution` fields; " +
  "node values only on `…/workflow-executions/{run_id}/events`), `error` ({code, message, details}) and " +
  "last `run.finished` ({run_id, status, session_id, elapsed_ms, response, sources}); each `data:` is JSON.";

/** Replaces every marked schema with a reference to the workflow schemas, keeping its description. */
function referWorkflowGraphs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referWorkflowGraphs);
  if (!isObject(value)) return value;
  if (value[WORKFLOW_GRAPH_MARK] === true) {
    return {
      ...(typeof value.description === "string" && { description: value.description }),
      oneOf: [{ $ref: "#/components/schemas/WorkflowV2" }, { $ref: "#/components/schemas/WorkflowV1" }],
    };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, referWorkflowGraphs(v)]));
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, into);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")) {
        into.add(v.slice("#/components/schemas/".length));
      } else collectRefs(v, into);
    }
  }
}

/** Schemas reachable from the paths (through other schemas too); the rest is unused. */
function usedSchemas(paths: unknown, schemas: Json): Json {
  const used = new Set<string>();
  collectRefs(paths, used);
  const queue = [...used];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    const found = new Set<string>();
    collectRefs(schemas[name], found);
    for (const ref of found) {
      if (!used.has(ref)) {
        used.add(ref);
        queue.push(ref);
      }
    }
  }
  return Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
}

/** Adds the `text/event-stream` answer to the chat operation's 200. */
function describeChatStream(paths: Json): void {
  const chat = (paths["/api/v1/chat"] as Json | undefined)?.post as Json | undefined;
  const ok = (chat?.responses as Json | undefined)?.["200"] as Json | undefined;
  const content = ok?.content as Json | undefined;
  if (content === undefined) return;
  content["text/event-stream"] = { schema: { type: "string", description: SSE_DESCRIPTION } };
}

/** Gives the run event stream its 200: Server-Sent Events whose payloads the operation describes. */
function describeRunEventStream(paths: Json): void {
  const events = (paths["/api/v1/bots/{bot_id}/workflow-executions/{run_id}/events"] as Json | undefined)?.get as
    | Json
    | undefined;
  const responses = events?.responses as Json | undefined;
  if (responses === undefined || responses["200"] !== undefined) return;
  responses["200"] = {
    description: "Server-Sent Events until `run.finished`",
    content: {
      "text/event-stream": {
        schema: {
          type: "string",
          description:
            "each `data:` is JSON with `type` and `run_id` (see the operation); node.finished/failed/skipped carry " +
            "`node_execution`, a `NodeExecution`",
        },
      },
    },
  };
}

/** Finishes the document `@fastify/swagger` generated (a new object; the input is not changed). */
export function finishOpenApiDocument<T extends object>(document: T): T {
  const doc = referWorkflowGraphs(document) as Json;
  const components = (doc.components ?? {}) as Json;
  const schemas = { ...((components.schemas ?? {}) as Json), ...workflowOpenApiSchemas() };
  const paths = (doc.paths ?? {}) as Json;
  describeChatStream(paths);
  describeRunEventStream(paths);
  return { ...doc, paths, components: { ...components, schemas: usedSchemas(paths, schemas) } } as T;
}
