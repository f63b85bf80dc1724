import { describe, expect, it } from "vitest";
import { importDifyDsl } from "../src/index.ts";

const appFile = (mode: string, nodes = "[]") => `kind: app
version: 0.3.0
app: {name: x, mode: ${mode}}
workflow:
  graph:
    nodes: ${nodes}
    edges: []
`;

describe("files that are not Dify workflow apps", () => {
  it.each([
    ["chat", "unsupported_app_mode", /basic chatbot \(app\.mode "chat"\)/],
    ["completion", "unsupported_app_mode", /text generator/],
    ["agent-chat", "unsupported_app_mode", /an agent/],
  ])("refuses a %s app with a clear message", (mode, code, message) => {
    const { workflow, problems } = importDifyDsl(`kind: app\napp: {name: x, mode: ${mode}}\nmodel_config: {}\n`);
    expect(workflow).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: "app.mode", code, message: expect.stringMatching(message) });
  });

  it("refuses another kind of file, a file without a graph, and YAML that is no mapping", () => {
    expect(importDifyDsl("kind: dataset\napp: {mode: workflow}\n").problems[0]).toMatchObject({
      path: "kind",
      code: "not_dify_app",
      message: 'this is not a Dify app export: kind is "dataset", expected "app"',
    });
    expect(importDifyDsl("kind: app\napp: {name: x, mode: workflow}\nworkflow: {}\n").problems[0]).toMatchObject({
      path: "workflow.graph",
      code: "missing_graph",
    });
    for (const text of ["- a\n- b\n", "just text", ""]) {
      const { workflow, problems } = importDifyDsl(text);
      expect(workflow).toBeUndefined();
      expect(problems[0]?.code).toBe("not_dify_app");
    }
  });

  it("reports malformed YAML with its line and column", () => {
    const { workflow, problems } = importDifyDsl("kind: app\napp:\n  name: [unclosed\n  mode: workflow\n");
    expect(workflow).toBeUndefined();
    expect(problems[0]).toMatchObject({ code: "invalid_yaml", line: expect.any(Number), column: expect.any(Number) });
    expect(problems[0]?.message).toMatch(/^not valid YAML \(line \d+, column \d+\)/);
  });

  it("names the YAML path of bad node data", () => {
    const nodes = `
      - {id: s, data: {type: start, title: Start, variables: []}}
      - {id: l, data: {type: llm, title: L, model: {provider: 7, name: m}, prompt_template: []}}`;
    const { problems } = importDifyDsl(appFile("workflow", nodes));
    expect(problems).toContainEqual({
      path: "workflow.graph.nodes[1].data.model.provider",
      code: "invalid_dsl",
      message: expect.any(String),
    });
  });

  it("names a selector that points to a node not in the file", () => {
    const nodes = `
      - {id: s, data: {type: start, title: Start, variables: []}}
      - {id: e, data: {type: end, title: End, outputs: [{variable: x, value_selector: [ghost, text]}]}}`;
    expect(importDifyDsl(appFile("workflow", nodes)).problems).toEqual([
      {
        path: "workflow.graph.nodes[1].data.outputs[0].value_selector",
        code: "unknown_selector",
        message: 'selector points to node "ghost", which is not in this file',
      },
    ]);
  });
});

describe("if-else operators", () => {
  const OPERATORS: [string, string, unknown, unknown][] = [
    ["contains", "a", "contains", "a"],
    ["not contains", "a", "not-contains", "a"],
    ["start with", "a", "starts-with", "a"],
    ["end with", "a", "ends-with", "a"],
    ["is", "a", "equals", "a"],
    ["is not", "a", "not-equals", "a"],
    ["empty", "", "is-empty", undefined],
    ["not empty", "", "is-not-empty", undefined],
    ["=", "3", "equals", 3],
    ["≠", "3", "not-equals", 3],
    [">", "3", "gt", 3],
    ["<", "3", "lt", 3],
    ["≥", "3.5", "gte", 3.5],
    ["≤", "3", "lte", 3],
    ["null", "", "is-empty", undefined],
    ["not null", "", "is-not-empty", undefined],
  ];
  const conditions = OPERATORS.map(
    ([op, value]) => `{variable_selector: [s, q], comparison_operator: '${op}', value: '${value}'}`,
  ).join(", ");
  const nodes = `
      - {id: s, data: {type: start, title: Start, variables: [{variable: q, type: text-input, required: true}]}}
      - {id: c, data: {type: if-else, title: C, cases: [{case_id: one, logical_operator: or, conditions: [${conditions}]}]}}`;

  it("maps every operator Dify uses to a Portflow operator and constant", () => {
    const { workflow, problems, report } = importDifyDsl(appFile("workflow", nodes));
    expect(problems).toEqual([]);
    const cases = workflow?.nodes[1]?.config?.cases as { conditions: { operator: string; value?: unknown }[] }[];
    expect(cases[0]?.conditions.map((c) => [c.operator, c.value])).toEqual(OPERATORS.map(([, , op, v]) => [op, v]));
    const notes = report.items.find((i) => i.portflow_type === "if-else")?.notes ?? [];
    expect(notes).toContain('"= 3" compares with the number 3 (Dify\'s string value converted)');
    expect(notes).toContain('"null" became "is empty" (also true for "" and [])');
  });

  it("names an operator Portflow does not have and a comparison with a variable", () => {
    const bad = nodes
      .replace("comparison_operator: 'contains', value: 'a'", "comparison_operator: 'in', value: 'a'")
      .replace("comparison_operator: 'is', value: 'a'", "comparison_operator: 'is', value: '{{#s.q#}}'");
    const { problems } = importDifyDsl(appFile("workflow", bad));
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ["workflow.graph.nodes[1].data.cases[0].conditions[0].comparison_operator", "unsupported_operator"],
      ["workflow.graph.nodes[1].data.cases[0].conditions[4].value", "unsupported_condition"],
    ]);
  });
});
