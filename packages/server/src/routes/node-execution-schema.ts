/**
 * The one HTTP shape of a node execution (OpenAPI `NodeExecution`): what the run detail, the
 * debug runs (`draft/run`, single-node, resume, rerun) and the run's event stream all send, from
 * a stored row or from the engine's record of a node that just finished.
 * @module
 */
import type { NodeRunRecord } from "@portflow/engine";
import type { NodeExecution } from "@portflow/storage";
import { z } from "zod";

/** A recorded error: what failed, its code, and for a run's error the node it failed at. */
export const storedErrorSchema = z
  .object({ message: z.string(), code: z.string().optional(), node_id: z.string().optional() })
  .nullable();

const tokensSchema = z.object({ input: z.number(), output: z.number() });

/** One node execution, the same everywhere the API shows one. */
export const nodeExecutionSchema = z
  .object({
    id: z
      .string()
      .nullable()
      .describe("the stored record's id; null in an event stream (the event is sent before its id is known)"),
    node_id: z.string(),
    node_type: z.string(),
    step_index: z.number(),
    status: z.string().describe("succeeded, failed, skipped or cancelled"),
    inputs: z.unknown(),
    outputs: z.unknown(),
    process_data: z.unknown(),
    error: storedErrorSchema,
    attempts: z.number(),
    tokens: tokensSchema,
    elapsed_ms: z.number(),
    truncated: z.boolean(),
    started_at: z.string(),
    finished_at: z.string(),
    parent_node_id: z.string().nullable().describe("inside an iteration or loop body: the container node"),
    iteration_index: z.number().nullable().describe("inside a body: the round, from 0"),
    branch: z
      .string()
      .nullable()
      .describe("the branch port the node took: an if-else case id or `false`, `fail` for a fail branch; else null"),
    handled_by: z
      .enum(["fail-branch", "default-value"])
      .nullable()
      .describe(
        "how the node's failure was handled: `fail-branch` (the run followed its fail port), " +
          "`default-value` (its default outputs were used); null when it did not fail or failed the run",
      ),
  })
  .meta({ id: "NodeExecution" });

/** A node execution as the API sends it. */
export type NodeExecutionResponse = z.output<typeof nodeExecutionSchema>;

type EngineError = NodeRunRecord["error"];

function toErrorResponse(error: NodeExecution["error"] | EngineError): z.output<typeof storedErrorSchema> {
  if (error === null || error === undefined) return null;
  return {
    message: error.message,
    ...(error.code !== undefined && { code: error.code }),
    ...("nodeId" in error && error.nodeId !== undefined && { node_id: error.nodeId }),
  };
}

/** A stored node execution (run detail, debug runs). */
export function toNodeExecutionResponse(node: NodeExecution): NodeExecutionResponse {
  return {
    id: node.id,
    node_id: node.nodeId,
    node_type: node.nodeType,
    step_index: node.stepIndex,
    status: node.status,
    inputs: node.inputs,
    outputs: node.outputs,
    process_data: node.processData,
    error: toErrorResponse(node.error),
    attempts: node.attempts,
    tokens: node.tokens,
    elapsed_ms: node.elapsedMs,
    truncated: node.truncated,
    started_at: node.startedAt.toISOString(),
    finished_at: node.finishedAt.toISOString(),
    parent_node_id: node.parentNodeId,
    iteration_index: node.iterationIndex,
    branch: node.branch,
    handled_by: node.handledBy,
  };
}

/** The engine's record of a node that just finished (event streams): values whole, no stored id yet. */
export function nodeExecutionOfRecord(record: NodeRunRecord): NodeExecutionResponse {
  return {
    id: null,
    node_id: record.nodeId,
    node_type: record.nodeType,
    step_index: record.stepIndex,
    status: record.status,
    inputs: record.inputs,
    outputs: record.outputs,
    process_data: record.processData,
    error: toErrorResponse(record.error),
    attempts: record.attempts,
    tokens: { input: record.tokens.input, output: record.tokens.output },
    elapsed_ms: record.elapsedMs,
    truncated: false,
    started_at: new Date(record.startedAt).toISOString(),
    finished_at: new Date(record.finishedAt).toISOString(),
    parent_node_id: record.parentNodeId ?? null,
    iteration_index: record.iterationIndex ?? null,
    branch: record.branch ?? null,
    handled_by: record.handledBy ?? null,
  };
}
