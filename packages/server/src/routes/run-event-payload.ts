/**
 * What `GET …/workflow-executions/{run_id}/events` sends for each engine event: the API's own
 * snake_case JSON (times as ISO 8601), node records as the one {@link nodeExecutionSchema} shape,
 * so a client reads a streamed node exactly as it reads the run detail.
 * @module
 */
import type { RunEvent, RunResult } from "@portflow/engine";
import type { WorkflowRun } from "@portflow/storage";
import { z } from "zod";
import { nodeExecutionOfRecord, nodeExecutionSchema, storedErrorSchema } from "./node-execution-schema.ts";

/** Where a node event happened: the node, and inside a container's body the container and round. */
const scope = {
  run_id: z.string(),
  node_id: z.string(),
  parent_node_id: z.string().nullable(),
  iteration_index: z.number().nullable(),
};

/** Every event payload of a run's event stream, by its `type` (also its SSE `event:` name). */
export const runEventPayloadSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("run.started"), run_id: z.string(), started_at: z.string() }),
  z.object({ type: z.literal("node.started"), ...scope, node_type: z.string(), attempt: z.number() }),
  z.object({
    type: z.literal("node.chunk"),
    ...scope,
    chunk: z.string(),
    answer: z.boolean().describe("text of an answer node (the answer stream), not a node's raw output"),
  }),
  z.object({
    type: z.literal("node.retrying"),
    ...scope,
    attempt: z.number().describe("the attempt about to start"),
    delay_ms: z.number(),
    error: z.string(),
  }),
  z.object({
    type: z.enum(["node.finished", "node.failed", "node.skipped"]),
    run_id: z.string(),
    node_execution: nodeExecutionSchema,
  }),
  z.object({
    type: z.literal("run.finished"),
    run_id: z.string(),
    status: z.string(),
    outputs: z.unknown(),
    error: storedErrorSchema,
    elapsed_ms: z.number().nullable(),
    tokens: z.object({ input: z.number(), output: z.number() }),
    total_steps: z.number(),
    finished_at: z.string().nullable(),
  }),
]);

/** One event of a run's event stream as the API sends it. */
export type RunEventPayload = z.output<typeof runEventPayloadSchema>;

const iso = (ms: number) => new Date(ms).toISOString();

function scopeOf(e: { runId: string; nodeId: string; parentNodeId?: string; iterationIndex?: number }) {
  return {
    run_id: e.runId,
    node_id: e.nodeId,
    parent_node_id: e.parentNodeId ?? null,
    iteration_index: e.iterationIndex ?? null,
  };
}

function runErrorOf(error: RunResult["error"] | WorkflowRun["error"]): z.output<typeof storedErrorSchema> {
  if (error === undefined || error === null) return null;
  return {
    message: error.message,
    ...(error.code !== undefined && { code: error.code }),
    ...(error.nodeId !== undefined && { node_id: error.nodeId }),
  };
}

/** The payload the event stream sends for an engine event. */
export function toRunEventPayload(event: RunEvent): RunEventPayload {
  switch (event.type) {
    case "run.started":
      return { type: event.type, run_id: event.runId, started_at: iso(event.startedAt) };
    case "node.started":
      return { type: event.type, ...scopeOf(event), node_type: event.nodeType, attempt: event.attempt };
    case "node.chunk":
      return { type: event.type, ...scopeOf(event), chunk: event.chunk, answer: event.answer === true };
    case "node.retrying":
      return {
        type: event.type,
        ...scopeOf(event),
        attempt: event.attempt,
        delay_ms: event.delayMs,
        error: event.error,
      };
    case "node.finished":
    case "node.failed":
    case "node.skipped":
      return { type: event.type, run_id: event.runId, node_execution: nodeExecutionOfRecord(event.record) };
    case "run.finished": {
      const r = event.result;
      return {
        type: event.type,
        run_id: r.runId,
        status: r.status,
        outputs: r.outputs,
        error: runErrorOf(r.error),
        elapsed_ms: r.totals.elapsedMs,
        tokens: { input: r.totals.tokens.input, output: r.totals.tokens.output },
        total_steps: r.totals.steps,
        finished_at: iso(r.finishedAt),
      };
    }
  }
}

/** `run.finished` for a run whose event log has expired: from its stored record. */
export function storedRunFinishedPayload(run: WorkflowRun): RunEventPayload {
  return {
    type: "run.finished",
    run_id: run.id,
    status: run.status,
    outputs: run.outputs,
    error: runErrorOf(run.error),
    elapsed_ms: run.elapsedMs,
    tokens: { input: run.tokens.input, output: run.tokens.output },
    total_steps: run.totalSteps,
    finished_at: run.finishedAt?.toISOString() ?? null,
  };
}
