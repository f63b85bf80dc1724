import { describe, expect, it } from "vitest";
import type { NodeExecution } from "../api/api-types.ts";
import type { RunStreamEvent } from "../api/run-stream-event.ts";
import { applyRunEvent, EMPTY_LIVE_RUN, type LiveRunState, liveExecutions } from "./live-run-state.ts";

const T0 = Date.parse("2026-12-01T10:00:00.000Z");

/** A node execution as a finished node's event carries it. */
function record(
  nodeId: string,
  status: string,
  startedAt: number,
  finishedAt: number,
  extra: Partial<NodeExecution> = {},
): NodeExecution {
  return {
    id: null,
    node_id: nodeId,
    node_type: "http-request",
    step_index: 1,
    status,
    inputs: {},
    outputs: { body: `${nodeId}-out` },
    process_data: {},
    error: null,
    attempts: 1,
    tokens: { input: 0, output: 0 },
    elapsed_ms: finishedAt - startedAt,
    truncated: false,
    started_at: new Date(startedAt).toISOString(),
    finished_at: new Date(finishedAt).toISOString(),
    parent_node_id: null,
    iteration_index: null,
    branch: null,
    handled_by: null,
    ...extra,
  };
}

const replay = (events: readonly RunStreamEvent[], from: LiveRunState = EMPTY_LIVE_RUN) =>
  events.reduce(applyRunEvent, from);
const byNode = (state: LiveRunState, now: number) =>
  Object.fromEntries(liveExecutions(state, now).map((e) => [e.node_id, e]));

describe("applyRunEvent", () => {
  it("turns a node running on node.started, then succeeded with its record's times and outputs", () => {
    const started = replay([
      { type: "run.started", startedAt: T0 },
      { type: "node.started", nodeId: "start", nodeType: "start", attempt: 1 },
      {
        type: "node.finished",
        execution: record("start", "succeeded", T0, T0 + 5, { node_type: "start", step_index: 1 }),
      },
      { type: "node.started", nodeId: "fetch", nodeType: "http-request", attempt: 1 },
    ]);
    expect(started.status).toBe("running");
    const running = byNode(started, T0 + 1005).fetch;
    expect(running).toMatchObject({ status: "running", node_type: "http-request", outputs: null });
    // it started when the last node it could wait for finished, and lasts until now
    expect(running?.started_at).toBe(new Date(T0 + 5).toISOString());
    expect(running?.elapsed_ms).toBe(1000);
    expect(running?.step_index).toBeGreaterThan(1);

    const done = applyRunEvent(started, {
      type: "node.finished",
      execution: record("fetch", "succeeded", T0 + 6, T0 + 2006, { step_index: 2 }),
    });
    expect(byNode(done, T0 + 9999).fetch).toMatchObject({
      status: "succeeded",
      outputs: { body: "fetch-out" },
      elapsed_ms: 2000,
      step_index: 2,
      finished_at: new Date(T0 + 2006).toISOString(),
    });
    // the state given was not changed
    expect(byNode(started, T0 + 1005).fetch?.status).toBe("running");
  });

  it("shows a retried node as retrying with the next attempt, keeping its first start", () => {
    const state = replay([
      { type: "run.started", startedAt: T0 },
      { type: "node.started", nodeId: "fetch", nodeType: "http-request", attempt: 1 },
      { type: "node.retrying", nodeId: "fetch", attempt: 2, error: "HTTP 500" },
    ]);
    expect(byNode(state, T0 + 10).fetch).toMatchObject({ status: "retrying", attempts: 2, node_type: "http-request" });
    const again = applyRunEvent(
      { ...state, latestMs: T0 + 500 },
      { type: "node.started", nodeId: "fetch", nodeType: "http-request", attempt: 2 },
    );
    expect(byNode(again, T0 + 600).fetch).toMatchObject({
      status: "running",
      attempts: 2,
      started_at: new Date(T0).toISOString(),
    });
  });

  it("keeps iteration rounds apart: one execution per container round", () => {
    const state = replay([
      { type: "run.started", startedAt: T0 },
      { type: "node.started", nodeId: "body", nodeType: "llm", attempt: 1, parentNodeId: "each", iterationIndex: 0 },
      { type: "node.started", nodeId: "body", nodeType: "llm", attempt: 1, parentNodeId: "each", iterationIndex: 1 },
      {
        type: "node.failed",
        execution: record("body", "failed", T0, T0 + 3, {
          parent_node_id: "each",
          iteration_index: 1,
          error: { message: "boom", code: "X" },
        }),
      },
    ]);
    const rounds = liveExecutions(state, T0 + 10).map((e) => [e.iteration_index, e.status, e.parent_node_id, e.error]);
    expect(rounds).toEqual([
      [0, "running", "each", null],
      [1, "failed", "each", { message: "boom", code: "X" }],
    ]);
  });

  it("shows a finished node as its event carried it: the branch it took and how its failure was handled", () => {
    const state = replay([
      { type: "run.started", startedAt: T0 },
      { type: "node.started", nodeId: "risky", nodeType: "http-request", attempt: 1 },
      {
        type: "node.failed",
        execution: record("risky", "failed", T0, T0 + 7, { branch: "fail", handled_by: "fail-branch", step_index: 4 }),
      },
    ]);
    const [risky] = liveExecutions(state, T0 + 100);
    expect(risky).toEqual({
      ...record("risky", "failed", T0, T0 + 7, { branch: "fail", handled_by: "fail-branch", step_index: 4 }),
      id: `live:risky\u0000\u0000`,
    });
  });

  it("ends with run.finished's status and stops growing a node no record ended", () => {
    const state = replay([
      { type: "run.started", startedAt: T0 },
      { type: "node.started", nodeId: "fetch", nodeType: "http-request", attempt: 1 },
      {
        type: "node.failed",
        execution: record("fetch", "failed", T0, T0 + 40, { error: { message: "run was cancelled" } }),
      },
      { type: "run.finished", status: "cancelled", finishedAt: T0 + 41 },
    ]);
    expect(state).toMatchObject({ status: "cancelled", finishedAt: T0 + 41 });
    // a late node.started (replayed out of order) does not bring an ended run back to running
    expect(applyRunEvent(state, { type: "node.started", nodeId: "x", nodeType: "end", attempt: 1 }).status).toBe(
      "cancelled",
    );
  });

  it("never draws a running node with a negative duration when the browser clock is behind the server's", () => {
    const state = replay([
      { type: "run.started", startedAt: T0 },
      { type: "node.started", nodeId: "fetch", nodeType: "http-request", attempt: 1 },
    ]);
    expect(byNode(state, T0 - 60_000).fetch?.elapsed_ms).toBe(0);
  });
});
