import type { WorkflowV2Json } from "../src/index.ts";
import { ragWorkflow } from "../src/testing/index.ts";

/** start → knowledge stub (5 docs) → llm stub → end. */
export const ragLinear4 = ragWorkflow({ topK: 5, userPrompt: "Q: {{query}}" });

export function linear(n: number): WorkflowV2Json {
  const ids = ["start", ...Array.from({ length: n - 2 }, (_, i) => `t${i}`), "end"];
  return {
    schema_version: 2,
    nodes: ids.map((id, i) =>
      id === "start" || id === "end"
        ? { id, type: id }
        : {
            id,
            type: "template",
            config: { template: "x" },
            variable_mappings: [{ target_port: "in", selector: [ids[i - 1]!, i === 1 ? "query" : "text"] }],
          },
    ),
    edges: ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id })),
  };
}

export function fanOut(width: number): WorkflowV2Json {
  const branches = Array.from({ length: width }, (_, i) => `b${i}`);
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      ...branches.map((id) => ({ id, type: "template", config: { template: "{{sys.query}}" } })),
      { id: "join", type: "template", config: { template: "joined" } },
      { id: "end", type: "end", variable_mappings: [{ target_port: "out", selector: ["join", "text"] }] },
    ],
    edges: [
      ...branches.map((b) => ({ source: "start", target: b })),
      ...branches.map((b) => ({ source: b, target: "join" })),
      { source: "join", target: "end" },
    ],
  };
}
