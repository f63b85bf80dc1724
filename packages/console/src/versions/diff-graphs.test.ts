import { describe, expect, it } from "vitest";
import { diffGraphs } from "./diff-graphs.ts";

const v1 = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: {} },
    { id: "retrieve", type: "knowledge", config: { top_k: 5, score_threshold: 0.2 } },
    { id: "answer", type: "llm", config: { temperature: 0.2 } },
    { id: "end", type: "end" },
  ],
  edges: [
    { source: "start", target: "retrieve" },
    { source: "retrieve", target: "answer" },
    { source: "answer", target: "end" },
  ],
};

describe("diffGraphs", () => {
  it("finds a node whose config changed and names the field; key order alone is no change", () => {
    const v2 = structuredClone(v1);
    (v2.nodes[1] as { config: Record<string, unknown> }).config = { score_threshold: 0.2, top_k: 2 };
    (v2.nodes[2] as { config: Record<string, unknown> }).config = { temperature: 0.2 };
    const diff = diffGraphs(v1, v2);
    expect(diff.nodes).toEqual([{ id: "retrieve", type: "knowledge", kind: "changed", fields: ["config"] }]);
    expect(diff.edges).toEqual([]);
    expect([...diff.right]).toEqual([["retrieve", "changed"]]);
  });

  it("reports an inserted node and its rewired edges, each side coloured with what it has", () => {
    const v2 = structuredClone(v1);
    v2.nodes.splice(3, 0, { id: "polish", type: "template", config: {} } as never);
    v2.edges = [
      { source: "start", target: "retrieve" },
      { source: "retrieve", target: "answer" },
      { source: "answer", target: "polish" },
      { source: "polish", target: "end" },
    ];
    const diff = diffGraphs(v1, v2);
    expect(diff.nodes).toEqual([{ id: "polish", type: "template", kind: "added", fields: [] }]);
    expect(diff.edges).toEqual([
      { key: "answer → polish", kind: "added" },
      { key: "polish → end", kind: "added" },
      { key: "answer → end", kind: "removed" },
    ]);
    expect(diff.left.size).toBe(0);
    expect(diff.right.get("polish")).toBe("added");
    // and the other way round it is a removal, shown on the left
    const back = diffGraphs(v2, v1);
    expect(back.nodes).toEqual([{ id: "polish", type: "template", kind: "removed", fields: [] }]);
    expect(back.left.get("polish")).toBe("removed");
    expect(back.right.has("polish")).toBe(false);
  });

  it("tells wires apart by their ports", () => {
    const a = { nodes: [], edges: [{ source: "x", source_port: "text", target: "y", target_port: "query" }] };
    const b = { nodes: [], edges: [{ source: "x", source_port: "text", target: "y", target_port: "context" }] };
    expect(diffGraphs(a, b).edges).toEqual([
      { key: "x.text → y.context", kind: "added" },
      { key: "x.text → y.query", kind: "removed" },
    ]);
  });

  it("compares identical graphs as no change, and tolerates JSON that is not a graph", () => {
    expect(diffGraphs(v1, structuredClone(v1)).nodes).toEqual([]);
    expect(diffGraphs(null, "oops")).toMatchObject({ nodes: [], edges: [] });
    expect(diffGraphs({ nodes: [{ type: "start" }] }, {}).nodes).toEqual([
      { id: "nodes[0]", type: "start", kind: "removed", fields: [] },
    ]);
  });
});
