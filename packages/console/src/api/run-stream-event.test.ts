import { describe, expect, it } from "vitest";
import type { NodeExecution } from "./api-types.ts";
import { parseRunStreamEvent } from "./run-stream-event.ts";

/** A node execution as the server streams it (`id` null: not stored yet). */
const streamed: NodeExecution = {
  id: null,
  node_id: "risky",
  node_type: "http-request",
  step_index: 3,
  status: "failed",
  inputs: {},
  outputs: { body: "" },
  process_data: {},
  error: { message: "HTTP 500", code: "HTTP_500" },
  attempts: 1,
  tokens: { input: 0, output: 0 },
  elapsed_ms: 4.5,
  truncated: false,
  started_at: "2026-12-01T10:00:00.000Z",
  finished_at: "2026-12-01T10:00:00.005Z",
  parent_node_id: null,
  iteration_index: null,
  branch: "fail",
  handled_by: "fail-branch",
};

describe("parseRunStreamEvent", () => {
  it("reads a finished node's NodeExecution as sent, branch and handling included", () => {
    expect(parseRunStreamEvent("node.failed", { type: "node.failed", run_id: "r", node_execution: streamed })).toEqual({
      type: "node.failed",
      execution: streamed,
    });
  });

  it("reads run.started and run.finished times as ms, a missing finish as null", () => {
    expect(parseRunStreamEvent("run.started", { run_id: "r", started_at: "2026-12-01T10:00:00.000Z" })).toEqual({
      type: "run.started",
      startedAt: Date.parse("2026-12-01T10:00:00.000Z"),
    });
    expect(parseRunStreamEvent("run.finished", { status: "failed", finished_at: "2026-12-01T10:00:01.000Z" })).toEqual({
      type: "run.finished",
      status: "failed",
      finishedAt: Date.parse("2026-12-01T10:00:01.000Z"),
    });
    expect(parseRunStreamEvent("run.finished", { status: "interrupted", finished_at: null })).toEqual({
      type: "run.finished",
      status: "interrupted",
      finishedAt: null,
    });
  });

  it("skips chunks, unknown events and events missing what the timeline needs", () => {
    expect(parseRunStreamEvent("node.chunk", { node_id: "a", chunk: "x" })).toBeUndefined();
    expect(parseRunStreamEvent("something.else", {})).toBeUndefined();
    expect(parseRunStreamEvent("node.started", { node_type: "llm" })).toBeUndefined();
    expect(
      parseRunStreamEvent("node.finished", { node_execution: { node_id: "a", status: "succeeded" } }),
    ).toBeUndefined();
    expect(
      parseRunStreamEvent("node.finished", { node_execution: { ...streamed, started_at: "yesterday" } }),
    ).toBeUndefined();
    expect(parseRunStreamEvent("run.started", "not an object")).toBeUndefined();
  });

  it("reads an unknown handled_by or a missing branch as none", () => {
    const event = parseRunStreamEvent("node.finished", {
      node_execution: { ...streamed, handled_by: "magic", branch: undefined },
    });
    expect(event).toMatchObject({ execution: { handled_by: null, branch: null } });
  });

  it("keeps a body node's container and round", () => {
    expect(
      parseRunStreamEvent("node.started", {
        node_id: "b",
        node_type: "llm",
        attempt: 2,
        parent_node_id: "each",
        iteration_index: 3,
      }),
    ).toEqual({
      type: "node.started",
      nodeId: "b",
      nodeType: "llm",
      attempt: 2,
      parentNodeId: "each",
      iterationIndex: 3,
    });
  });
});
