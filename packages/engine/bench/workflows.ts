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
            // reads its input: validation refuses a mapping onto a port the node does not read
            config: { template: "{{in}}" },
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

/** start(items) → each (iteration; body: a → b → c templates, the item passed along) → end. */
export function iteration(options: { parallel: boolean }): WorkflowV2Json {
  const body = ["a", "b", "c"];
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "items", type: "array", required: true }] } },
      {
        id: "each",
        type: "iteration",
        config: { output_selector: ["c", "text"], parallel: options.parallel, parallelism: 10 },
        variable_mappings: [{ target_port: "items", selector: ["start", "items"] }],
      },
      ...body.map((id, i) => ({
        id,
        type: "template",
        parent_id: "each",
        config: { template: "{{in}}" },
        variable_mappings: [{ target_port: "in", selector: i === 0 ? ["each", "item"] : [body[i - 1]!, "text"] }],
      })),
      { id: "end", type: "end", variable_mappings: [{ target_port: "out", selector: ["each", "output"] }] },
    ],
    edges: [
      { source: "start", target: "each" },
      { source: "each", target: "end" },
      { source: "a", target: "b" },
      { source: "b", target: "c" },
    ],
  };
}

/** start → count (loop of `rounds` rounds; body: one template growing nothing) → end. */
export function loop(rounds: number): WorkflowV2Json {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      {
        id: "count",
        type: "loop",
        config: {
          loop_variables: [{ name: "last", type: "string", value: "" }],
          updates: [{ variable: "last", selector: ["step", "text"] }],
          max_iterations: rounds,
        },
      },
      {
        id: "step",
        type: "template",
        parent_id: "count",
        config: { template: "{{i}}" },
        variable_mappings: [{ target_port: "i", selector: ["count", "index"] }],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "last", selector: ["count", "last"] }] },
    ],
    edges: [
      { source: "start", target: "count" },
      { source: "count", target: "end" },
    ],
  };
}
