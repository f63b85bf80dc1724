import { describe, expect, it } from "vitest";
import type { NodeExecution } from "../api/api-types.ts";
import { mergeExecutions } from "./merge-executions.ts";

const e = (id: string, node_id: string, status: string, iteration_index: number | null = null) =>
  ({ id, node_id, status, parent_node_id: iteration_index === null ? null : "each", iteration_index }) as NodeExecution;

describe("mergeExecutions", () => {
  it("replaces a recorded execution by the live one of the same node and round, and adds new ones", () => {
    const merged = mergeExecutions(
      [e("r1", "start", "succeeded"), e("r2", "body", "succeeded", 0)],
      [e("live:body1", "body", "running", 1), e("live:start", "start", "succeeded")],
    );
    expect(merged.map((x) => [x.id, x.status])).toEqual([
      ["r2", "succeeded"],
      ["live:body1", "running"],
      ["live:start", "succeeded"],
    ]);
  });
});
