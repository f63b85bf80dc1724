import { describe, expect, it } from "vitest";
import type { NodeRunRecord } from "../run-result.ts";
import { createTestRegistry } from "../testing/index.ts";
import { validateWorkflow } from "../validate-workflow.ts";
import { WorkflowExecutorV2 } from "../workflow-executor.ts";
import type { WorkflowV2Json } from "../workflow-schema.ts";

const registry = createTestRegistry();
const executor = new WorkflowExecutorV2(registry);
type Node = WorkflowV2Json["nodes"][number];

const start: Node = {
  id: "start",
  type: "start",
  config: {
    inputs: [
      { name: "items", type: "array", required: true },
      { name: "query", type: "string" },
    ],
  },
};

/** start → each (iteration over start.items, body given) → end(output = each.output). */
function iterate(
  config: Record<string, unknown>,
  body: Node[],
  bodyEdges: WorkflowV2Json["edges"] = [],
): WorkflowV2Json {
  return {
    schema_version: 2,
    nodes: [
      start,
      {
        id: "each",
        type: "iteration",
        config,
        variable_mappings: [{ target_port: "items", selector: ["start", "items"] }],
      },
      ...body.map((n) => ({ ...n, parent_id: n.parent_id ?? "each" })),
      { id: "end", type: "end", variable_mappings: [{ target_port: "output", selector: ["each", "output"] }] },
    ],
    edges: [{ source: "start", target: "each" }, { source: "each", target: "end" }, ...(bodyEdges ?? [])],
  };
}

const say: Node = {
  id: "say",
  type: "template",
  config: { template: "{{i}}:{{item}}" },
  variable_mappings: [
    { target_port: "item", selector: ["each", "item"] },
    { target_port: "i", selector: ["each", "index"] },
  ],
};

const roundsOf = (nodes: readonly NodeRunRecord[], id: string) =>
  nodes.filter((n) => n.nodeId === id).map((n) => [n.parentNodeId, n.iterationIndex, n.status]);

describe("iteration", () => {
  it("runs the body once per item, in input order, recording each round", async () => {
    const result = await executor.run(iterate({ output_selector: ["say", "text"] }, [say]), { items: ["a", "b", "c"] });
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({ output: ["0:a", "1:b", "2:c"] });
    expect(roundsOf(result.nodes, "say")).toEqual([
      ["each", 0, "succeeded"],
      ["each", 1, "succeeded"],
      ["each", 2, "succeeded"],
    ]);
    expect(result.nodes.find((n) => n.nodeId === "each")?.parentNodeId).toBeUndefined();
  });

  it("starts the body at an iteration-start node and reads nodes upstream of the container", async () => {
    const workflow = iterate(
      { output_selector: ["say", "text"] },
      [
        { id: "begin", type: "iteration-start" },
        {
          id: "say",
          type: "template",
          config: { template: "{{q}}/{{item}}" },
          variable_mappings: [
            { target_port: "item", selector: ["each", "item"] },
            { target_port: "q", selector: ["start", "query"] },
          ],
        },
      ],
      [{ source: "begin", target: "say" }],
    );
    expect(validateWorkflow(workflow, registry).problems).toEqual([]);
    const result = await executor.run(workflow, { items: ["x", "y"], query: "Q" });
    expect(result.outputs).toEqual({ output: ["Q/x", "Q/y"] });
  });

  it("overlaps rounds up to `parallelism` and still outputs in input order", async () => {
    const body: Node[] = [
      {
        id: "wait",
        type: "sleep",
        config: { ms: 40 },
        variable_mappings: [{ target_port: "value", selector: ["each", "item"] }],
      },
    ];
    const result = await executor.run(
      iterate({ output_selector: ["wait", "value"], parallel: true, parallelism: 3 }, body),
      { items: [1, 2, 3, 4, 5, 6] },
    );
    expect(result.outputs).toEqual({ output: [1, 2, 3, 4, 5, 6] });
    const spans = result.nodes.filter((n) => n.nodeId === "wait").map((n) => [n.startedAt, n.finishedAt] as const);
    const overlapAt = (t: number) => spans.filter(([s, f]) => s <= t && t < f).length;
    const most = Math.max(...spans.map(([s]) => overlapAt(s)));
    expect(most).toBe(3);
  });

  describe("error modes", () => {
    const named: Node = {
      id: "name",
      type: "template",
      config: { template: "{{item.name}}" },
      variable_mappings: [{ target_port: "item", selector: ["each", "item"] }],
    };
    const items = [{ name: "a" }, { nick: "b" }, { name: "c" }];

    it("terminate: a failed round fails the iteration, naming the round", async () => {
      const result = await executor.run(iterate({ output_selector: ["name", "text"] }, [named]), { items });
      expect(result.status).toBe("failed");
      expect(result.error?.nodeId).toBe("each");
      expect(result.error?.code).toBe("ITERATION_FAILED");
      expect(result.error?.message).toContain(
        'round 1 failed: node "name" failed: variable "item.name" is not defined',
      );
      expect(roundsOf(result.nodes, "name")).toEqual([
        ["each", 0, "succeeded"],
        ["each", 1, "failed"],
      ]);
    });

    it("continue-on-error: null in the failed round's slot", async () => {
      const result = await executor.run(
        iterate({ output_selector: ["name", "text"], error_mode: "continue-on-error" }, [named]),
        { items },
      );
      expect(result.outputs).toEqual({ output: ["a", null, "c"] });
      expect(result.nodes.find((n) => n.nodeId === "each")?.processData).toEqual({ rounds: 3, failed_rounds: [1] });
    });

    it("remove-abnormal-output: the failed round's slot is dropped", async () => {
      const result = await executor.run(
        iterate({ output_selector: ["name", "text"], error_mode: "remove-abnormal-output" }, [named]),
        { items },
      );
      expect(result.outputs).toEqual({ output: ["a", "c"] });
    });
  });

  it("flattens collected arrays with flatten_output", async () => {
    const body: Node[] = [
      {
        id: "firsts",
        type: "list-operator",
        config: { limit: { first: 2 } },
        variable_mappings: [{ target_port: "items", selector: ["each", "item"] }],
      },
    ];
    const result = await executor.run(
      iterate({ output_selector: ["firsts", "result"], output_type: "array", flatten_output: true }, body),
      { items: [[1, 2, 3], [4], [5, 6]] },
    );
    expect(result.outputs).toEqual({ output: [1, 2, 4, 5, 6] });
  });

  it("nests: an iteration inside an iteration sees both items", async () => {
    const workflow = iterate({ output_selector: ["inner", "output"], output_type: "array" }, [
      {
        id: "inner",
        type: "iteration",
        config: { output_selector: ["pair", "text"] },
        variable_mappings: [{ target_port: "items", selector: ["each", "item"] }],
      },
      {
        id: "pair",
        type: "template",
        parent_id: "inner",
        config: { template: "{{outer}}{{inner}}" },
        variable_mappings: [
          { target_port: "outer", selector: ["each", "index"] },
          { target_port: "inner", selector: ["inner", "item"] },
        ],
      },
    ]);
    expect(validateWorkflow(workflow, registry).problems).toEqual([]);
    const result = await executor.run(workflow, { items: [["a", "b"], ["c"]] });
    expect(result.outputs).toEqual({ output: [["0a", "0b"], ["1c"]] });
    expect(roundsOf(result.nodes, "pair")).toEqual([
      ["inner", 0, "succeeded"],
      ["inner", 1, "succeeded"],
      ["inner", 0, "succeeded"],
    ]);
  });

  describe("limits inside the body", () => {
    const sleeper = (config: Record<string, unknown>, policy: Partial<Node> = {}): Node => ({
      id: "wait",
      type: "sleep",
      config,
      ...policy,
      variable_mappings: [{ target_port: "value", selector: ["each", "item"] }],
    });

    it("a cancelled run stops the round in flight", async () => {
      const controller = new AbortController();
      const handle = executor.start(
        iterate({}, [sleeper({ ms: 10_000 })]),
        { items: [1, 2] },
        { signal: controller.signal },
      );
      handle.on("node.started", (e) => {
        if (e.nodeId === "wait") controller.abort();
      });
      const result = await handle.result;
      expect(result.status).toBe("cancelled");
      expect(roundsOf(result.nodes, "wait")).toEqual([["each", 0, "cancelled"]]);
      expect(result.totals.elapsedMs).toBeLessThan(5_000);
    });

    it("the container's timeout covers all its rounds", async () => {
      const workflow = iterate({}, [sleeper({ ms: 60 })]);
      workflow.nodes[1]!.timeout_ms = 150;
      const result = await executor.run(workflow, { items: [1, 2, 3, 4, 5] });
      expect(result.status).toBe("failed");
      expect(result.error?.code).toBe("NODE_TIMEOUT");
      expect(result.nodes.filter((n) => n.nodeId === "wait" && n.status === "succeeded").length).toBeLessThan(5);
    });

    it("the run's step limit counts body nodes", async () => {
      const result = await executor.run(
        iterate({}, [sleeper({ ms: 0 })]),
        { items: [1, 2, 3, 4, 5, 6] },
        { maxSteps: 5 },
      );
      expect(result.status).toBe("failed");
      expect(result.error?.code).toBe("ITERATION_FAILED");
      expect(result.error?.message).toContain("step limit of 5");
    });

    it("retries a body node by its own policy", async () => {
      const result = await executor.run(
        iterate({ output_selector: ["wait", "value"] }, [
          sleeper({ ms: 0, fail_times: 1 }, { retry: { max_attempts: 2, initial_delay_ms: 0 } }),
        ]),
        { items: ["a"] },
      );
      expect(result.outputs).toEqual({ output: ["a"] });
      expect(result.nodes.find((n) => n.nodeId === "wait")?.attempts).toBe(2);
    });
  });
});

describe("loop", () => {
  const loop = (config: Record<string, unknown>): WorkflowV2Json => ({
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      { id: "grow", type: "loop", config },
      {
        id: "more",
        type: "template",
        parent_id: "grow",
        config: { template: "{{draft}}x" },
        variable_mappings: [{ target_port: "draft", selector: ["grow", "draft"] }],
      },
      {
        id: "end",
        type: "end",
        variable_mappings: [
          { target_port: "draft", selector: ["grow", "draft"] },
          { target_port: "iterations", selector: ["grow", "iterations"] },
        ],
      },
    ],
    edges: [
      { source: "start", target: "grow" },
      { source: "grow", target: "end" },
    ],
  });
  const base = {
    loop_variables: [{ name: "draft", type: "string", value: "" }],
    updates: [{ variable: "draft", selector: ["more", "text"] }],
  };

  it("updates its variables each round and stops when the break conditions hold", async () => {
    const result = await executor.run(
      loop({
        ...base,
        break_conditions: [{ variable: "draft", operator: "equals", value: "xxx" }],
        max_iterations: 10,
      }),
      { query: "q" },
    );
    expect(result.outputs).toEqual({ draft: "xxx", iterations: 3 });
    expect(roundsOf(result.nodes, "more")).toEqual([
      ["grow", 0, "succeeded"],
      ["grow", 1, "succeeded"],
      ["grow", 2, "succeeded"],
    ]);
  });

  it("stops at max_iterations when nothing breaks it", async () => {
    const result = await executor.run(loop({ ...base, max_iterations: 4 }), { query: "q" });
    expect(result.outputs).toEqual({ draft: "xxxx", iterations: 4 });
  });

  it("requires max_iterations and typed initial values", () => {
    const { problems } = validateWorkflow(
      loop({ loop_variables: [{ name: "draft", type: "number", value: "zero" }], updates: base.updates }),
      registry,
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "nodes[1].config.loop_variables[0].value: the initial value does not match the variable's type",
      "nodes[1].config.max_iterations: Invalid input: expected number, received undefined",
    ]);
  });
});

describe("sub-graph validation", () => {
  const problemsOf = (workflow: WorkflowV2Json) =>
    validateWorkflow(workflow, registry).problems.map((p) => `${p.code} @ ${p.path}: ${p.message}`);

  it("refuses edges across a container boundary", () => {
    const workflow = iterate({ output_selector: ["say", "text"] }, [say], [{ source: "start", target: "say" }]);
    expect(problemsOf(workflow)).toEqual([
      'crosses_container @ edges[2]: edge start → say crosses a container boundary (the top level → the body of "each"): connect to the container node instead',
    ]);
  });

  it("refuses a selector from outside into a body, and unknown round variables", () => {
    const workflow = iterate({ output_selector: ["say", "text"] }, [
      { ...say, variable_mappings: [{ target_port: "item", selector: ["each", "itm"] }] },
    ]);
    workflow.nodes.at(-1)!.variable_mappings!.push({ target_port: "peek", selector: ["say", "text"] });
    expect(problemsOf(workflow)).toEqual([
      'unknown_port @ nodes[2].variable_mappings[0].selector: container "each" gives its body item, index, not "itm"',
      'unknown_variable @ nodes[2].config.template: placeholder {{i}} names "i", which is not an input of "say": map or wire it (inputs: item)',
      'selector_not_upstream @ nodes[3].variable_mappings[1].selector: selector points into the body of "each": read that container\'s outputs instead',
    ]);
  });

  it("refuses a parent that is no container, and an output selector outside the body", () => {
    const workflow = iterate({ output_selector: ["start", "query"] }, [say]);
    workflow.nodes[2] = { ...say, parent_id: "start" };
    expect(problemsOf(workflow)).toEqual(
      expect.arrayContaining([
        'invalid_container @ nodes[2].parent_id: parent_id "start" is a "start" node, not a container (iteration or loop)',
        'selector_not_upstream @ nodes[1].config.output_selector: "start" is not a node in the body of "each"',
      ]),
    );
  });
});
