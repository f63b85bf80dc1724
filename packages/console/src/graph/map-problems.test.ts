import { describe, expect, it } from "vitest";
import { mapProblems } from "./map-problems.ts";
import { workflowGraphModel } from "./workflow-graph-model.ts";

const graph = {
  nodes: [
    { id: "start", type: "start" },
    { id: "retrieve", type: "knowledge", config: { top_k: "five" } },
    { id: "answer", type: "llm" },
  ],
  edges: [
    { source: "start", target: "retrieve" },
    { source: "retrieve", target: "ghost" },
  ],
};

describe("mapProblems", () => {
  it("puts a problem on the node its JSON path indexes, by the node's id", () => {
    const mapped = mapProblems(
      [
        { path: "nodes[1].config.top_k", message: "expected number", code: "invalid_config" },
        { path: "nodes[2].variable_mappings[0].selector", message: "no such node", code: "bad_selector" },
      ],
      workflowGraphModel(graph),
    );
    expect(mapped.byNode.get("retrieve")?.map((p) => p.message)).toEqual(["expected number"]);
    expect(mapped.byNode.get("answer")?.map((p) => p.code)).toEqual(["bad_selector"]);
    expect(mapped.byNode.has("start")).toBe(false);
    expect(mapped.general).toEqual([]);
  });

  it("puts edge problems on the edge, and whole-workflow or out-of-range paths in general", () => {
    const mapped = mapProblems(
      [
        { path: "edges[1].target", message: "dangling edge", code: "dangling_edge" },
        { path: "", message: "no end node", code: "missing_end" },
        { path: "nodes[9].type", message: "gone", code: "x" },
      ],
      workflowGraphModel(graph),
    );
    expect(mapped.byEdge.get("edges[1]")?.map((p) => p.code)).toEqual(["dangling_edge"]);
    expect(mapped.general.map((p) => p.code)).toEqual(["missing_end", "x"]);
    expect(mapped.byNode.size).toBe(0);
  });

  it("names a node without an id by its index, so its problems still have a place", () => {
    const model = workflowGraphModel({ nodes: [{ type: "start" }, { id: 7 }] });
    expect(model.nodes.map((n) => n.id)).toEqual(["nodes[0]", "nodes[1]"]);
    const mapped = mapProblems([{ path: "nodes[1].id", message: "id is required", code: "schema" }], model);
    expect(mapped.byNode.get("nodes[1]")?.length).toBe(1);
  });
});
