import { describe, expect, it } from "vitest";
import type { NodeExecution } from "../api/api-types.ts";
import { buildTimeline, timeTicks } from "./build-timeline.ts";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
function exec(nodeId: string, startMs: number, endMs: number, extra: Partial<NodeExecution> = {}): NodeExecution {
  return {
    id: `${nodeId}-${startMs}-${extra.iteration_index ?? ""}`,
    node_id: nodeId,
    node_type: "template",
    step_index: 0,
    status: "succeeded",
    inputs: {},
    outputs: {},
    process_data: {},
    error: null,
    attempts: 1,
    tokens: { input: 0, output: 0 },
    elapsed_ms: endMs - startMs,
    truncated: false,
    started_at: new Date(T0 + startMs).toISOString(),
    finished_at: new Date(T0 + endMs).toISOString(),
    parent_node_id: null,
    iteration_index: null,
    branch: null,
    handled_by: null,
    ...extra,
  };
}

describe("buildTimeline", () => {
  it("gives one bar per execution, in start order, placed from the run's start", () => {
    const timeline = buildTimeline(
      [exec("answer", 30, 90, { step_index: 2 }), exec("start", 0, 5), exec("retrieve", 5, 30, { step_index: 1 })],
      new Date(T0).toISOString(),
    );
    expect(timeline.bars.map((b) => [b.label, b.offsetMs, b.durationMs])).toEqual([
      ["start", 0, 5],
      ["retrieve", 5, 25],
      ["answer", 30, 60],
    ]);
    expect(timeline.spanMs).toBe(90);
  });

  it("nests iteration rounds under their container and numbers the rounds from 1", () => {
    const timeline = buildTimeline([
      exec("each", 0, 40),
      exec("summarise", 1, 20, { parent_node_id: "each", iteration_index: 0 }),
      exec("summarise", 20, 39, { parent_node_id: "each", iteration_index: 1 }),
    ]);
    expect(timeline.bars.map((b) => [b.label, b.depth])).toEqual([
      ["each", 0],
      ["summarise #1", 1],
      ["summarise #2", 1],
    ]);
  });

  it("keeps skipped nodes as zero-width bars, and orders ties by step index", () => {
    const timeline = buildTimeline([
      exec("no_branch", 10, 10, { status: "skipped", step_index: 3 }),
      exec("yes_branch", 10, 25, { step_index: 2 }),
    ]);
    expect(timeline.bars.map((b) => [b.label, b.skipped, b.durationMs])).toEqual([
      ["yes_branch", false, 15],
      ["no_branch", true, 0],
    ]);
  });

  it("is empty for a run with no node executions, with a span that can still divide", () => {
    expect(buildTimeline([])).toEqual({ bars: [], spanMs: 1, startedAt: 0 });
  });
});

describe("timeTicks", () => {
  it("picks round steps that cover the span", () => {
    expect(timeTicks(90)).toEqual([0, 20, 40, 60, 80]);
    expect(timeTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
  });
});
