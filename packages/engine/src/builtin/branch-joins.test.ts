import { describe, expect, it } from "vitest";
import { createTestRegistry } from "../testing/index.ts";
import { validateWorkflow } from "../validate-workflow.ts";
import { WorkflowExecutorV2 } from "../workflow-executor.ts";
import type { WorkflowV2Json } from "../workflow-schema.ts";

const registry = createTestRegistry();
const executor = new WorkflowExecutorV2(registry);

type Node = WorkflowV2Json["nodes"][number];
const template = (id: string, text: string): Node => ({
  id,
  type: "template",
  config: { template: text },
});
/** start(query) → if-else: `yes` when the query contains "yes", else `false`. */
const head: Node[] = [
  { id: "start", type: "start" },
  {
    id: "route",
    type: "if-else",
    config: { cases: [{ id: "yes", conditions: [{ input: "q", operator: "contains", value: "yes" }] }] },
    variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
  },
];
const headEdges = [
  { source: "start", target: "route" },
  { source: "route", target: "say_yes", source_port: "yes" },
  { source: "route", target: "say_no", source_port: "false" },
];

describe("several end nodes", () => {
  const workflow: WorkflowV2Json = {
    schema_version: 2,
    nodes: [
      ...head,
      template("say_yes", "agreed"),
      template("say_no", "declined"),
      { id: "end_yes", type: "end", variable_mappings: [{ target_port: "answer", selector: ["say_yes", "text"] }] },
      { id: "end_no", type: "end", variable_mappings: [{ target_port: "answer", selector: ["say_no", "text"] }] },
    ],
    edges: [...headEdges, { source: "say_yes", target: "end_yes" }, { source: "say_no", target: "end_no" }],
  };

  it("validates one end per branch", () => {
    expect(validateWorkflow(workflow, registry).problems).toEqual([]);
  });

  it("returns the outputs of the end node that ran", async () => {
    const no = await executor.run(workflow, { query: "nope" });
    expect(no.outputs).toEqual({ answer: "declined" });
    expect(no.nodes.find((n) => n.nodeId === "end_yes")?.status).toBe("skipped");
    const yes = await executor.run(workflow, { query: "yes please" });
    expect(yes.outputs).toEqual({ answer: "agreed" });
  });

  it("maps an output whose source was skipped to null", async () => {
    const joined: WorkflowV2Json = {
      ...workflow,
      nodes: [
        ...head,
        template("say_yes", "agreed"),
        template("say_no", "declined"),
        {
          id: "end",
          type: "end",
          variable_mappings: [
            { target_port: "yes", selector: ["say_yes", "text"] },
            { target_port: "no", selector: ["say_no", "text"] },
          ],
        },
      ],
      edges: [...headEdges, { source: "say_yes", target: "end" }, { source: "say_no", target: "end" }],
    };
    const result = await executor.run(joined, { query: "nope" });
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({ yes: null, no: "declined" });
  });

  it("reports a workflow whose end nodes cannot be reached from start", () => {
    const { problems } = validateWorkflow(
      {
        schema_version: 2,
        nodes: [{ id: "start", type: "start" }, template("t", "x"), { id: "end", type: "end" }],
        edges: [{ source: "t", target: "end" }],
      },
      registry,
    );
    expect(problems).toContainEqual({
      path: "nodes",
      code: "end_count",
      message: "no end or answer node is reachable from the start node",
    });
  });
});

describe("variable-aggregator", () => {
  const workflow = (outputType: string): WorkflowV2Json => ({
    schema_version: 2,
    nodes: [
      ...head,
      template("say_yes", "agreed"),
      template("say_no", "declined"),
      {
        id: "pick",
        type: "variable-aggregator",
        config: { output_type: outputType, variables: ["a", "b"] },
        variable_mappings: [
          { target_port: "a", selector: ["say_yes", "text"] },
          { target_port: "b", selector: ["say_no", "text"] },
        ],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["pick", "output"] }] },
    ],
    edges: [
      ...headEdges,
      { source: "say_yes", target: "pick" },
      { source: "say_no", target: "pick" },
      { source: "pick", target: "end" },
    ],
  });

  it("outputs the value of whichever branch ran", async () => {
    expect((await executor.run(workflow("string"), { query: "yes" })).outputs).toEqual({ answer: "agreed" });
    const no = await executor.run(workflow("string"), { query: "no" });
    expect(no.outputs).toEqual({ answer: "declined" });
    expect(no.nodes.find((n) => n.nodeId === "pick")?.processData).toEqual({ chosen: { output: "b" } });
  });

  it("fills named groups separately", async () => {
    const grouped = workflow("string");
    const pick = grouped.nodes.find((n) => n.id === "pick")!;
    pick.config = {
      groups: [
        { name: "text", output_type: "string", variables: ["a", "b"] },
        { name: "query", output_type: "string", variables: ["q"] },
      ],
    };
    pick.variable_mappings = [...(pick.variable_mappings ?? []), { target_port: "q", selector: ["start", "query"] }];
    grouped.nodes.find((n) => n.id === "end")!.variable_mappings = [
      { target_port: "text", selector: ["pick", "text"] },
      { target_port: "query", selector: ["pick", "query"] },
    ];
    expect((await executor.run(grouped, { query: "no" })).outputs).toEqual({ text: "declined", query: "no" });
  });

  it("requires its inputs to share the declared type", () => {
    const { problems } = validateWorkflow(workflow("number"), registry);
    expect(problems.map((p) => `${p.code} @ ${p.path}`)).toEqual([
      "type_mismatch @ nodes[4].variable_mappings[0].selector",
      "type_mismatch @ nodes[4].variable_mappings[1].selector",
    ]);
  });
});

describe("list-operator", () => {
  const items = [
    { title: "b", score: 0.4, lang: "en" },
    { title: "a", score: 0.9, lang: "ko" },
    { title: "c", score: 0.7, lang: "en" },
    { title: "d", score: 0.1, lang: "en" },
  ];
  const run = (config: Record<string, unknown>) =>
    executor.run(
      {
        schema_version: 2,
        nodes: [
          { id: "start", type: "start", config: { inputs: [{ name: "items", type: "array", required: true }] } },
          {
            id: "list",
            type: "list-operator",
            config,
            variable_mappings: [{ target_port: "items", selector: ["start", "items"] }],
          },
          {
            id: "end",
            type: "end",
            variable_mappings: [
              { target_port: "result", selector: ["list", "result"] },
              { target_port: "first", selector: ["list", "first_record"] },
              { target_port: "last", selector: ["list", "last_record"] },
            ],
          },
        ],
        edges: [
          { source: "start", target: "list" },
          { source: "list", target: "end" },
        ],
      },
      { items },
    );
  const titles = (result: Awaited<ReturnType<typeof run>>) =>
    (result.outputs.result as { title: string }[]).map((i) => i.title);

  it("filters by item fields, sorts by a key and keeps the first N", async () => {
    const result = await run({
      filter: { conditions: [{ key: "lang", operator: "equals", value: "en" }] },
      sort: { key: "score", order: "desc" },
      limit: { first: 2 },
    });
    expect(titles(result)).toEqual(["c", "b"]);
    expect(result.outputs.first).toEqual(items[2]);
    expect(result.outputs.last).toEqual(items[0]);
  });

  it("keeps the last N, extracts by index, and gives null records for an empty result", async () => {
    expect(titles(await run({ sort: { key: "title" }, limit: { last: 2 } }))).toEqual(["c", "d"]);
    expect(titles(await run({ extract: -1 }))).toEqual(["d"]);
    const none = await run({ filter: { conditions: [{ key: "score", operator: "gt", value: 5 }] } });
    expect(none.outputs).toEqual({ result: [], first: null, last: null });
  });

  it("refuses a limit that gives both first and last", () => {
    const { problems } = validateWorkflow(
      {
        schema_version: 2,
        nodes: [
          { id: "start", type: "start" },
          { id: "list", type: "list-operator", config: { limit: { first: 1, last: 1 } } },
          { id: "end", type: "end" },
        ],
        edges: [
          { source: "start", target: "list" },
          { source: "list", target: "end" },
        ],
      },
      registry,
    );
    expect(problems).toContainEqual({
      path: "nodes[1].config.limit",
      code: "invalid_config",
      message: "give either first or last",
    });
  });
});
