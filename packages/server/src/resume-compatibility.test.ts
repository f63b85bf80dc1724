import { type WorkflowV2, type WorkflowV2Json, workflowV2Schema } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { resumeIncompatibility } from "./resume-compatibility.ts";

type Node = WorkflowV2Json["nodes"][number];

/** start → retrieve → answer → end, with `retrieve` feeding `answer` by a mapping. */
function base(): WorkflowV2Json {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string" }] } },
      {
        id: "retrieve",
        type: "knowledge",
        config: { top_k: 5 },
        variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
      },
      {
        id: "answer",
        type: "llm",
        config: { user_prompt: "{{context}} {{query}}" },
        variable_mappings: [
          { target_port: "query", selector: ["start", "query"] },
          { target_port: "context", selector: ["retrieve", "documents"] },
        ],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["answer", "text"] }] },
    ],
    edges: [
      { source: "start", target: "retrieve" },
      { source: "retrieve", target: "answer" },
      { source: "answer", target: "end" },
    ],
  };
}

const parse = (json: WorkflowV2Json): WorkflowV2 => workflowV2Schema.parse(json) as WorkflowV2;

function edit(change: (node: Node) => Node, json = base()): WorkflowV2 {
  return parse({ ...json, nodes: json.nodes.map(change) });
}

const reused = ["start", "retrieve", "answer"];

describe("resumeIncompatibility", () => {
  it("finds nothing when only titles, positions, timeouts, retries, key order and mapping order differ", () => {
    const to = edit((n) =>
      n.id === "answer"
        ? {
            ...n,
            title: "Answer",
            position: { x: 1, y: 2 },
            timeout_ms: 5_000,
            retry: { max_attempts: 5 },
            variable_mappings: [...(n.variable_mappings ?? [])].reverse(),
          }
        : n,
    );
    expect(resumeIncompatibility(parse(base()), to, reused)).toBeUndefined();
  });

  it("names a reused node the other version lacks: missing", () => {
    const json = base();
    const to = parse({
      ...json,
      nodes: json.nodes.filter((n) => n.id !== "retrieve"),
      edges: [
        { source: "start", target: "answer" },
        { source: "answer", target: "end" },
      ],
    });
    expect(resumeIncompatibility(parse(base()), to, reused)).toMatchObject({ nodeId: "retrieve", reason: "missing" });
  });

  it("names a node of another type: type changed", () => {
    const to = edit((n) => (n.id === "retrieve" ? { ...n, type: "http-request" } : n));
    expect(resumeIncompatibility(parse(base()), to, reused)).toMatchObject({
      nodeId: "retrieve",
      reason: "type changed",
      message: 'node "retrieve" is a http-request node there, not knowledge',
    });
  });

  it("names a node with another config or error strategy: config changed", () => {
    const config = edit((n) => (n.id === "retrieve" ? { ...n, config: { top_k: 8 } } : n));
    expect(resumeIncompatibility(parse(base()), config, reused)).toMatchObject({
      nodeId: "retrieve",
      reason: "config changed",
    });
    const strategy = edit((n) => (n.id === "answer" ? { ...n, error_strategy: "default-value" } : n));
    expect(resumeIncompatibility(parse(base()), strategy, reused)?.reason).toBe("config changed");
  });

  it("names a node mapped differently or with other upstream edges: inputs changed", () => {
    const mapped = edit((n) =>
      n.id === "answer"
        ? {
            ...n,
            variable_mappings: [{ target_port: "query", value: "fixed" }, ...(n.variable_mappings ?? []).slice(1)],
          }
        : n,
    );
    expect(resumeIncompatibility(parse(base()), mapped, reused)).toMatchObject({
      nodeId: "answer",
      reason: "inputs changed",
    });
    const json = base();
    const rewired = parse({ ...json, edges: [...(json.edges ?? []), { source: "start", target: "answer" }] });
    expect(resumeIncompatibility(parse(base()), rewired, reused)).toMatchObject({
      nodeId: "answer",
      reason: "inputs changed",
      message: 'node "answer" has other upstream edges there',
    });
  });

  it("reports the first incompatible node in topological order, not in JSON order", () => {
    const json = base();
    // answer listed before retrieve in the JSON; both changed
    const from = parse({ ...json, nodes: [json.nodes[0], json.nodes[2], json.nodes[1], json.nodes[3]] as Node[] });
    const to = edit((n) => (n.id === "retrieve" || n.id === "answer" ? { ...n, config: { changed: true } } : n));
    expect(resumeIncompatibility(from, to, reused)?.nodeId).toBe("retrieve");
  });

  it("ignores changes to nodes whose outputs are not reused", () => {
    const to = edit((n) => (n.id === "answer" ? { ...n, type: "template", config: {} } : n));
    expect(resumeIncompatibility(parse(base()), to, ["start", "retrieve"])).toBeUndefined();
    expect(resumeIncompatibility(parse(base()), to, reused)?.nodeId).toBe("answer");
  });

  it("names a container whose body changed: config changed", () => {
    const withBody = (template: string): WorkflowV2Json => ({
      ...base(),
      nodes: [
        ...base().nodes,
        { id: "loop", type: "iteration", config: {} },
        { id: "inner", type: "template", parent_id: "loop", config: { template } },
      ],
      edges: [...(base().edges ?? []), { source: "start", target: "loop" }],
    });
    const from = parse(withBody("a"));
    expect(resumeIncompatibility(from, parse(withBody("a")), ["loop"])).toBeUndefined();
    expect(resumeIncompatibility(from, parse(withBody("b")), ["loop"])).toMatchObject({
      nodeId: "loop",
      reason: "config changed",
      message: 'the body of container "loop" differs there',
    });
  });
});
