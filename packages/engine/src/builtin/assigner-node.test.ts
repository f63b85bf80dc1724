import { describe, expect, it } from "vitest";
import { createTestRegistry } from "../testing/index.ts";
import { validateWorkflow } from "../validate-workflow.ts";
import { WorkflowExecutorV2 } from "../workflow-executor.ts";
import type { WorkflowV2Json } from "../workflow-schema.ts";

const registry = createTestRegistry();
const executor = new WorkflowExecutorV2(registry);

const conversation_variables = [
  { name: "name", type: "string", default: "" },
  { name: "turns", type: "number", default: 0 },
  { name: "topics", type: "array", default: [] },
] as const;

/** start(query) → remember (assigner) → greet (template reading conversation) → end. */
function remembering(assignments: unknown[]): WorkflowV2Json {
  return {
    schema_version: 2,
    conversation_variables: [...conversation_variables],
    nodes: [
      { id: "start", type: "start" },
      {
        id: "remember",
        type: "assigner",
        config: { assignments },
        // Only an input an assignment uses is a port: mapping another would be a validation problem.
        variable_mappings: assignments.some((a) => (a as { input?: string }).input === "q")
          ? [{ target_port: "q", selector: ["start", "query"] }]
          : [],
      },
      {
        id: "greet",
        type: "template",
        config: { template: "{{conversation.name}} ({{conversation.turns}}): {{t}}" },
        variable_mappings: [{ target_port: "t", selector: ["conversation", "topics"] }],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "text", selector: ["greet", "text"] }] },
    ],
    edges: [
      { source: "start", target: "remember" },
      { source: "remember", target: "greet" },
      { source: "greet", target: "end" },
    ],
  };
}

describe("conversation variables and assigner", () => {
  it("starts from defaults, lets later nodes read this run's writes, and returns what changed", async () => {
    const result = await executor.run(
      remembering([
        { variable: "name", operation: "overwrite", input: "q" },
        { variable: "turns", operation: "+=", value: 1 },
        { variable: "topics", operation: "append", input: "q" },
      ]),
      { query: "Ada" },
    );
    expect(result.outputs).toEqual({ text: 'Ada (1): ["Ada"]' });
    expect(result.conversation).toEqual({
      values: { name: "Ada", turns: 1, topics: ["Ada"] },
      changed: { name: "Ada", turns: 1, topics: ["Ada"] },
    });
    expect(result.nodes.find((n) => n.nodeId === "remember")?.processData).toEqual({
      writes: [
        { variable: "name", operation: "overwrite", before: "", after: "Ada" },
        { variable: "turns", operation: "+=", before: 0, after: 1 },
        { variable: "topics", operation: "append", before: [], after: ["Ada"] },
      ],
    });
  });

  it("continues from the session's stored values", async () => {
    const result = await executor.run(
      remembering([
        { variable: "turns", operation: "*=", value: 3 },
        { variable: "topics", operation: "remove-first" },
      ]),
      { query: "x" },
      { conversation: { name: "Ada", turns: 2, topics: ["a", "b"] } },
    );
    expect(result.outputs).toEqual({ text: 'Ada (6): ["b"]' });
    expect(result.conversation?.changed).toEqual({ turns: 6, topics: ["b"] });
  });

  it("applies every operation", async () => {
    const run = (assignments: unknown[], stored: Record<string, unknown>) =>
      executor
        .run(remembering(assignments), { query: "q" }, { conversation: stored })
        .then((r) => r.conversation?.values);
    expect(await run([{ variable: "topics", operation: "extend", value: [1, 2] }], { topics: [0] })).toMatchObject({
      topics: [0, 1, 2],
    });
    expect(await run([{ variable: "topics", operation: "remove-last" }], { topics: [0, 1] })).toMatchObject({
      topics: [0],
    });
    expect(await run([{ variable: "topics", operation: "clear" }], { topics: [0, 1] })).toMatchObject({ topics: [] });
    expect(await run([{ variable: "name", operation: "set", value: "Bo" }], {})).toMatchObject({ name: "Bo" });
    expect(await run([{ variable: "turns", operation: "-=", value: 2 }], { turns: 5 })).toMatchObject({ turns: 3 });
    expect(await run([{ variable: "turns", operation: "/=", value: 2 }], { turns: 5 })).toMatchObject({ turns: 2.5 });
  });

  it("fails the node on a division by zero, and the run reports no conversation changes as stored", async () => {
    const result = await executor.run(remembering([{ variable: "turns", operation: "/=", value: 0 }]), { query: "q" });
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain('"/=" by zero on conversation.turns');
  });

  it("type-checks writes at validation: no append on a number, no set of the wrong type, undeclared names", () => {
    const { problems } = validateWorkflow(
      remembering([
        { variable: "turns", operation: "append", value: 1 },
        { variable: "name", operation: "set", value: 3 },
        { variable: "mood", operation: "clear" },
      ]),
      registry,
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'nodes[1].config.assignments[0]: "append" needs a array or messages or documents or any variable; conversation.turns is number',
      "nodes[1].config.assignments[1]: the value set does not match conversation.name (string)",
      'nodes[1].config.assignments[2]: conversation variable "mood" is not declared in conversation_variables (declared: name, turns, topics)',
    ]);
  });

  it("reports selectors of undeclared conversation variables", () => {
    const workflow = remembering([{ variable: "turns", operation: "+=", value: 1 }]);
    workflow.nodes[2]!.variable_mappings = [{ target_port: "t", selector: ["conversation", "topic"] }];
    expect(validateWorkflow(workflow, registry).problems).toEqual([
      {
        path: "nodes[2].variable_mappings[0].selector",
        code: "unknown_selector",
        message:
          'conversation variable "topic" is not declared in conversation_variables (declared: name, turns, topics)',
      },
    ]);
  });
});
