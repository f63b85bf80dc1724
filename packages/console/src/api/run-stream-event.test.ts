import { describe, expect, it } from "vitest";
import { parseRunStreamEvent } from "./run-stream-event.ts";

describe("parseRunStreamEvent", () => {
  it("reads run.finished from a live run's result and from an expired log's bare status", () => {
    expect(
      parseRunStreamEvent("run.finished", { type: "run.finished", result: { status: "failed", finishedAt: 42 } }),
    ).toEqual({ type: "run.finished", status: "failed", finishedAt: 42 });
    expect(parseRunStreamEvent("run.finished", { type: "run.finished", runId: "r", status: "succeeded" })).toEqual({
      type: "run.finished",
      status: "succeeded",
      finishedAt: null,
    });
  });

  it("skips chunks, unknown events and events missing what the timeline needs", () => {
    expect(parseRunStreamEvent("node.chunk", { nodeId: "a", chunk: "x" })).toBeUndefined();
    expect(parseRunStreamEvent("something.else", {})).toBeUndefined();
    expect(parseRunStreamEvent("node.started", { nodeType: "llm" })).toBeUndefined();
    expect(parseRunStreamEvent("node.finished", { record: { nodeId: "a", status: "succeeded" } })).toBeUndefined();
    expect(parseRunStreamEvent("run.started", "not an object")).toBeUndefined();
  });

  it("keeps a body node's container and round", () => {
    expect(
      parseRunStreamEvent("node.started", {
        nodeId: "b",
        nodeType: "llm",
        attempt: 2,
        parentNodeId: "each",
        iterationIndex: 3,
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
