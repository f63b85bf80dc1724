import { describe, expect, it } from "vitest";
import { layoutGraph, NODE_WIDTH } from "./layout-graph.ts";
import { workflowGraphModel } from "./workflow-graph-model.ts";

describe("layoutGraph", () => {
  it("lays a chain out left to right, without overlaps", () => {
    const laid = layoutGraph(
      workflowGraphModel({
        nodes: ["start", "retrieve", "answer", "end"].map((id) => ({ id, type: id })),
        edges: [
          { source: "start", target: "retrieve" },
          { source: "retrieve", target: "answer" },
          { source: "answer", target: "end" },
        ],
      }),
    );
    const xs = laid.map((n) => n.x);
    expect(laid.map((n) => n.node.id)).toEqual(["start", "retrieve", "answer", "end"]);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(NODE_WIDTH);
    expect(new Set(laid.map((n) => n.y)).size).toBe(1);
  });

  it("draws an iteration body inside its container, after it in order, at positions relative to it", () => {
    const laid = layoutGraph(
      workflowGraphModel({
        nodes: [
          { id: "start", type: "start" },
          { id: "each", type: "iteration" },
          { id: "body_start", type: "body-start", parent_id: "each" },
          { id: "summarise", type: "llm", parent_id: "each" },
          { id: "end", type: "end" },
        ],
        edges: [
          { source: "start", target: "each" },
          { source: "body_start", target: "summarise" },
          { source: "each", target: "end" },
        ],
      }),
    );
    const byId = new Map(laid.map((n) => [n.node.id, n]));
    const container = byId.get("each")!;
    expect(container.container).toBe(true);
    for (const id of ["body_start", "summarise"]) {
      const child = byId.get(id)!;
      expect(child.parentId).toBe("each");
      expect(child.x).toBeGreaterThanOrEqual(0);
      expect(child.y).toBeGreaterThan(0);
      expect(child.x + child.width).toBeLessThanOrEqual(container.width);
      expect(child.y + child.height).toBeLessThanOrEqual(container.height);
    }
    const order = laid.map((n) => n.node.id);
    expect(order.indexOf("each")).toBeLessThan(order.indexOf("summarise"));
    expect(byId.get("summarise")!.x).toBeGreaterThan(byId.get("body_start")!.x);
  });

  it("draws a node whose parent_id names no node at the top level", () => {
    const laid = layoutGraph(workflowGraphModel({ nodes: [{ id: "a", type: "llm", parent_id: "missing" }] }));
    expect(laid.map((n) => [n.node.id, n.parentId])).toEqual([["a", null]]);
  });
});
