import { describe, expect, it } from "vitest";
import { createTestRegistry } from "./testing/index.ts";
import { validateWorkflow } from "./validate-workflow.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

const registry = createTestRegistry();

function valid(): WorkflowV2Json {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      {
        id: "retrieve",
        type: "knowledge",
        variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
      },
      {
        id: "answer",
        type: "llm",
        variable_mappings: [
          { target_port: "query", selector: ["sys", "query"] },
          { target_port: "context", selector: ["retrieve", "context"] },
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

function problemsOf(json: unknown) {
  return validateWorkflow(json, registry).problems.map((p) => `${p.code} @ ${p.path}`);
}

describe("validateWorkflow", () => {
  it("accepts a valid workflow and returns it parsed and frozen", () => {
    const result = validateWorkflow(valid(), registry);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(Object.isFrozen(result.workflow?.nodes[1])).toBe(true);
  });

  it("reports structural errors with JSON paths", () => {
    const wf = valid() as unknown as { nodes: Record<string, unknown>[] };
    wf.nodes[1]!.id = "";
    wf.nodes[2]!.retry = { max_attempts: 0 };
    expect(problemsOf(wf)).toEqual(["invalid_json @ nodes[1].id", "invalid_json @ nodes[2].retry.max_attempts"]);
  });

  it("reports every semantic problem at once, each located", () => {
    const wf = valid();
    wf.nodes.push({ id: "retrieve", type: "template" }); // duplicate id
    wf.nodes.push({ id: "mystery", type: "teleport" }); // unknown type
    wf.nodes.push({ id: "end2", type: "end" }); // second end
    wf.nodes[1]!.config = { top_k: "five" }; // config failing its schema
    wf.nodes[2]!.variable_mappings = [
      { target_port: "query", selector: ["end", "answer"] }, // not upstream
      { target_port: "context", selector: ["retrieve", "nope"] }, // unknown port
      { target_port: "temperature_port", selector: ["sys", "weather"] }, // unknown sys var
    ];
    wf.edges!.push({ source: "answer", target: "ghost" }); // dangling
    const problems = problemsOf(wf);
    expect(problems).toEqual(
      expect.arrayContaining([
        "duplicate_id @ nodes[4].id",
        "unknown_node_type @ nodes[5].type",
        "invalid_config @ nodes[1].config.top_k",
        "selector_not_upstream @ nodes[2].variable_mappings[0].selector",
        "unknown_selector @ nodes[2].variable_mappings[2].selector",
        "dangling_edge @ edges[3].target",
      ]),
    );
    const messages = validateWorkflow(wf, registry).problems.map((p) => p.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/^unknown node type "teleport" \(known types: start, end, .*answer.*llm.*\)$/),
    );
    expect(messages).toContain('selector points to "end", which is not upstream of "answer"');
  });

  it("reports a required input left unbound", () => {
    const wf = valid();
    wf.nodes[1]!.variable_mappings = [];
    expect(problemsOf(wf)).toEqual(["required_input_unbound @ nodes[1].variable_mappings"]);
  });

  it("reports a cycle", () => {
    const wf = valid();
    wf.edges!.push({ source: "answer", target: "retrieve" });
    expect(problemsOf(wf)).toContain("cycle @ edges[1]");
  });

  it("reports type mismatches on wires and mappings", () => {
    const wf = valid();
    // documents may feed a string port (rendered as context text): allowed.
    wf.edges![1] = { source: "retrieve", source_port: "documents", target: "answer", target_port: "context" };
    wf.nodes[2]!.variable_mappings = [{ target_port: "query", selector: ["start", "query"] }];
    expect(problemsOf(wf)).toEqual([]);
    wf.nodes[2]!.variable_mappings = [{ target_port: "messages", selector: ["start", "query"] }];
    expect(problemsOf(wf)).toEqual(["type_mismatch @ nodes[2].variable_mappings[0].selector"]);
    wf.nodes[2]!.variable_mappings = [{ target_port: "query", selector: ["start", "query"] }];
    wf.edges![1] = { source: "retrieve", source_port: "context", target: "answer", target_port: "messages" };
    expect(problemsOf(wf)).toEqual(["type_mismatch @ edges[1]"]);
  });

  it("reports unknown ports on edges and mappings", () => {
    const wf = valid();
    wf.edges![0] = { source: "start", source_port: "query", target: "retrieve", target_port: "question" };
    wf.nodes[1]!.variable_mappings = [{ target_port: "query", selector: ["start", "query"] }];
    expect(problemsOf(wf)).toEqual(["unknown_port @ edges[0].target_port"]);
  });

  it("reports stored ports that disagree with the node type", () => {
    const wf = valid();
    wf.nodes[1]!.ports = { inputs: [{ name: "query", type: "string" }], outputs: [{ name: "docs", type: "array" }] };
    expect(problemsOf(wf)).toEqual(["ports_disagree @ nodes[1].ports"]);
  });

  it("requires default_outputs for the default-value strategy", () => {
    const wf = valid();
    wf.nodes[1]!.error_strategy = "default-value";
    expect(problemsOf(wf)).toEqual(["invalid_policy @ nodes[1].default_outputs"]);
  });

  it("validates V1 workflows, listing every unknown V1 type", () => {
    const v1 = {
      nodes: [
        { id: "n1", type: "start", data: {} },
        { id: "n2", type: "web-search", data: {} },
        { id: "n3", type: "code", data: {} },
        { id: "n4", type: "end", data: {} },
      ],
      edges: [{ source: "n1", target: "n2" }],
    };
    expect(problemsOf(v1)).toEqual(["unknown_node_type @ nodes[1].type", "unknown_node_type @ nodes[2].type"]);
  });

  it("accepts a clean V1 workflow as schema version 1", () => {
    const v1 = {
      nodes: [
        { id: "s", type: "start" },
        { id: "e", type: "end" },
      ],
      edges: [{ source: "s", target: "e" }],
    };
    expect(validateWorkflow(v1, registry)).toMatchObject({ ok: true, schemaVersion: 1, problems: [] });
    expect(validateWorkflow(v1, registry, { allowV1: false }).problems.map((p) => p.path)).toEqual(["schema_version"]);
  });

  it("never throws on garbage", () => {
    for (const garbage of [null, 42, "x", [], { schema_version: 2 }, { schema_version: 2, nodes: [null] }]) {
      expect(validateWorkflow(garbage, registry).ok).toBe(false);
    }
  });
});
