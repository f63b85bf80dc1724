import { validateWorkflow, type WorkflowV2Json } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { createNodeRegistry } from "./create-node-registry.ts";

const registry = createNodeRegistry();

/** start → retrieve → answer (llm) → end, valid as given; each test puts one typo in. */
function rag(): WorkflowV2Json & { nodes: Record<string, unknown>[] } {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      {
        id: "retrieve",
        type: "knowledge",
        config: { top_k: 3 },
        variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
      },
      {
        id: "answer",
        type: "llm",
        config: { user_prompt: "{{context}}\n\nQ: {{query}}", temperature: 0.2 },
        variable_mappings: [
          { target_port: "query", selector: ["start", "query"] },
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

const problemsOf = (json: unknown) =>
  validateWorkflow(json, registry).problems.map((p) => `${p.code} @ ${p.path}: ${p.message}`);

describe("validation catches typos before a run", () => {
  it("the untouched workflow is valid (so each problem below comes from its one typo)", () => {
    expect(problemsOf(rag())).toEqual([]);
  });

  it("a mapping to an input the llm does not have names it and the closest port", () => {
    const wf = rag();
    (wf.nodes[2]!.variable_mappings as { target_port: string }[])[1]!.target_port = "contex";
    expect(problemsOf(wf)).toEqual([
      'unknown_port @ nodes[2].variable_mappings[1].target_port: node "answer" has no input port "contex" (its config reads no such name) — did you mean "context"? (inputs: query, context, messages)',
    ]);
  });

  it("a wire into an unknown input of a fixed-port node lists that node's inputs", () => {
    const wf = rag();
    wf.nodes[1]!.variable_mappings = [];
    wf.edges = [
      { source: "start", target: "retrieve", source_port: "query", target_port: "qeury" },
      { source: "retrieve", target: "answer" },
      { source: "answer", target: "end" },
    ];
    expect(problemsOf(wf)).toContain(
      'unknown_port @ edges[0].target_port: node "retrieve" has no input port "qeury" — did you mean "query"? (inputs: query)',
    );
  });

  it("an unknown config key is refused with the key it was meant to be", () => {
    const wf = rag();
    wf.nodes[2]!.config = { user_prompt: "{{query}}", temprature: 0.2 };
    wf.nodes[1]!.config = { top_k: 3, score_treshold: 0.5 };
    expect(problemsOf(wf)).toEqual([
      'invalid_config @ nodes[1].config.score_treshold: unknown key "score_treshold" — did you mean "score_threshold"? (known keys: top_k, score_threshold, filter, search, candidates, fusion, rerank)',
      expect.stringMatching(
        /^invalid_config @ nodes\[2\]\.config\.temprature: unknown key "temprature" — did you mean "temperature"\? \(known keys: system_prompt, user_prompt, model, temperature, /,
      ),
    ]);
  });

  it("an unknown key nested in a config (an if-else condition) is located and corrected too", () => {
    const wf = rag();
    wf.nodes.splice(3, 0, {
      id: "check",
      type: "if-else",
      config: { cases: [{ id: "long", conditions: [{ input: "text", operater: "not_empty" }] }] },
      variable_mappings: [{ target_port: "text", selector: ["answer", "text"] }],
    });
    const problems = problemsOf(wf);
    expect(problems).toContain(
      'invalid_config @ nodes[3].config.cases[0].conditions[0].operater: unknown key "operater" — did you mean "operator"? (known keys: input, operator, value)',
    );
  });

  it("a template placeholder with a typo is a problem at validation, in llm and answer nodes", () => {
    const wf = rag();
    wf.nodes[2]!.config = { user_prompt: "{{contxt}}\n\nQ: {{query}}" };
    wf.nodes.push({
      id: "say",
      type: "answer",
      config: { answer: "{{txt}} ({{sys.qurey}})" },
      variable_mappings: [{ target_port: "text", selector: ["answer", "text"] }],
    });
    wf.edges!.push({ source: "answer", target: "say" });
    expect(problemsOf(wf)).toEqual([
      'unknown_variable @ nodes[2].config.user_prompt: placeholder {{contxt}} names "contxt", which is not an input of "answer": map or wire it — did you mean "context"? (inputs: query, context, messages)',
      'unknown_port @ nodes[4].variable_mappings[0].target_port: node "say" has no input port "text" (its config reads no such name) — did you mean "txt"? (inputs: txt)',
      'unknown_variable @ nodes[4].config.answer: placeholder {{txt}} names "txt", which is not an input of "say": map or wire it — did you mean "text"? (inputs: text)',
      'unknown_variable @ nodes[4].config.answer: placeholder {{sys.qurey}} names an unknown system variable "sys.qurey" — did you mean "query"? (known: query, user_id, session_id, bot_id, run_id, files)',
    ]);
  });

  it("checks http-request url templates and if-else condition inputs against what is mapped", () => {
    const wf = rag();
    wf.nodes.splice(3, 0, {
      id: "call",
      type: "http-request",
      config: { url: "https://api.example.com/{{cty}}" },
      variable_mappings: [{ target_port: "city", selector: ["start", "query"] }],
    });
    wf.edges!.push({ source: "answer", target: "call" });
    expect(problemsOf(wf)).toEqual([
      'unknown_port @ nodes[3].variable_mappings[0].target_port: node "call" has no input port "city" (its config reads no such name) — did you mean "cty"? (inputs: file, cty)',
      'unknown_variable @ nodes[3].config.url: placeholder {{cty}} names "cty", which is not an input of "call": map or wire it — did you mean "city"? (inputs: file, city)',
    ]);
  });

  it("a V2 workflow without schema_version is told to add it, not that its nodes have no V2 equivalent", () => {
    const { schema_version: _omitted, ...wf } = rag();
    expect(problemsOf(wf)).toEqual([
      'invalid_json @ schema_version: this workflow has V2 nodes (config, variable_mappings) but no schema_version: V2 needs "schema_version": 2',
    ]);
  });

  it("fail-branch without a fail edge is a problem; with one it is valid", () => {
    const wf = rag();
    wf.nodes[2]!.error_strategy = "fail-branch";
    expect(problemsOf(wf)).toEqual([
      'invalid_policy @ nodes[2].error_strategy: error_strategy "fail-branch" needs an edge leaving "answer" by source_port "fail"; without one a failure ends the run with nothing',
    ]);
    wf.nodes.push({ id: "sorry", type: "answer", config: { answer: "Sorry, try again." } });
    wf.edges!.push({ source: "answer", target: "sorry", source_port: "fail" });
    expect(problemsOf(wf)).toEqual([]);
  });

  it("an unknown node type lists the known types and the closest one", () => {
    const wf = rag();
    wf.nodes[1]!.type = "knowlege";
    const [problem] = problemsOf(wf);
    expect(problem).toMatch(
      /^unknown_node_type @ nodes\[1\]\.type: unknown node type "knowlege" — did you mean "knowledge"\? \(known types: start, end, .*http-request.*\)$/,
    );
  });
});
