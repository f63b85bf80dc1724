import { describe, expect, it } from "vitest";
import type { CompiledWorkflow } from "./compiled-workflow.ts";
import { createTestRegistry } from "./testing/index.ts";
import { MAX_WORKFLOW_DEPTH, MAX_WORKFLOW_NODES, validateWorkflow } from "./validate-workflow.ts";
import { WorkflowExecutorV2 } from "./workflow-executor.ts";
import { WorkflowValidationError } from "./workflow-problem.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

const registry = createTestRegistry();

/** start → t1 → … → tN → end, each template passing the query on. */
function chain(templates: number): WorkflowV2Json {
  const ids = ["start", ...Array.from({ length: templates }, (_, i) => `t${i + 1}`), "end"];
  return {
    schema_version: 2,
    nodes: ids.map((id, i) => {
      if (id === "start" || id === "end") return { id, type: id };
      return {
        id,
        type: "template",
        config: { template: "{{x}}" },
        variable_mappings: [{ target_port: "x", selector: i === 1 ? ["start", "query"] : [ids[i - 1]!, "text"] }],
      };
    }),
    edges: ids.slice(1).map((id, i) => ({ source: ids[i]!, target: id })),
  };
}

/** `{"a": {"a": … 1 …}}`, `depth` objects deep, built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe("workflow size and depth limits", () => {
  it("validates and runs a 3,000-node linear chain (no stack overflow, no step limit)", async () => {
    const workflow = chain(3_000);
    const validation = validateWorkflow(workflow, registry);
    expect(validation.problems).toEqual([]);
    const result = await new WorkflowExecutorV2(registry).run(workflow, { query: "through" });
    expect(result.status).toBe("succeeded");
    expect(result.totals.steps).toBe(3_002);
  });

  it("reports a cycle inside a 4,000-node graph without overflowing", () => {
    const workflow = chain(4_000);
    workflow.edges!.push({ source: "t4000", target: "t1" });
    const { problems } = validateWorkflow(workflow, registry);
    expect(problems.map((p) => p.code)).toContain("cycle");
    expect(problems.find((p) => p.code === "cycle")?.message).toMatch(/^nodes t1 → t2 → .* → t4000 form a cycle$/);
  });

  it("refuses JSON nested 50,000 levels deep with a problem at the path where the limit is crossed", () => {
    const workflow = chain(1);
    workflow.nodes[1]!.config = { template: "{{x}}", extra: nested(50_000) };
    const { ok, problems } = validateWorkflow(workflow, registry);
    expect(ok).toBe(false);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.code).toBe("too_deep");
    // nodes → [1] → config → extra → a … : the first container past the limit.
    expect(problems[0]!.path).toMatch(/^nodes\[1\]\.config\.extra(\.a)+$/);
    // The root, nodes, the node, config and extra are 5 levels: the first `a` past the limit is the 60th.
    expect(problems[0]!.path.match(/\.a/g)).toHaveLength(MAX_WORKFLOW_DEPTH + 1 - 5);
    expect(problems[0]!.message).toContain(`${MAX_WORKFLOW_DEPTH} levels`);
  });

  it("accepts nesting at the limit", () => {
    const workflow = chain(1);
    // The workflow object, nodes array, node and config take 4 levels.
    workflow.nodes[1]!.config = { template: "{{x}}", extra: nested(MAX_WORKFLOW_DEPTH - 4) };
    // within the depth limit, so what remains is the key the template node does not know
    expect(validateWorkflow(workflow, registry).problems.map((p) => p.code)).toEqual(["invalid_config"]);
  });

  it("refuses more nodes than the documented limit, naming it", () => {
    const { problems } = validateWorkflow(chain(MAX_WORKFLOW_NODES), registry);
    expect(problems).toEqual([
      {
        path: "nodes",
        code: "too_large",
        message: `a workflow may have at most ${MAX_WORKFLOW_NODES} nodes, found ${MAX_WORKFLOW_NODES + 2}`,
      },
    ]);
  });
});

describe("compiled workflows", () => {
  it("validates anything merely shaped like a compiled workflow instead of running it", () => {
    const executor = new WorkflowExecutorV2(registry);
    const forged = { nodes: [], start: 0, end: 0, workflow: {} } as unknown as CompiledWorkflow;
    expect(() => executor.start(forged, {})).toThrow(WorkflowValidationError);
  });

  it("runs what compile() returned without validating it again", async () => {
    const executor = new WorkflowExecutorV2(registry);
    const compiled = executor.compile(chain(2));
    expect(executor.compile(chain(2))).not.toBe(compiled);
    const result = await executor.run(compiled, { query: "ok" });
    expect(result.outputs).toEqual({});
    expect(result.nodes.map((n) => n.nodeId)).toEqual(["start", "t1", "t2", "end"]);
  });
});

describe("env selectors", () => {
  const withEnv = (env: Record<string, string> | undefined): WorkflowV2Json => ({
    schema_version: 2,
    ...(env !== undefined && { env }),
    nodes: [
      { id: "start", type: "start" },
      {
        id: "greet",
        type: "template",
        config: { template: "key={{key}}" },
        variable_mappings: [{ target_port: "key", selector: ["env", "API_REGION"] }],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "text", selector: ["greet", "text"] }] },
    ],
    edges: [
      { source: "start", target: "greet" },
      { source: "greet", target: "end" },
    ],
  });

  it("fails the node naming the variable when an env value is missing, like {{env.NAME}} does", async () => {
    const result = await new WorkflowExecutorV2(registry).run(withEnv(undefined), { query: "q" });
    expect(result.status).toBe("failed");
    expect(result.error?.nodeId).toBe("greet");
    expect(result.error?.message).toContain('variable "env.API_REGION" is not defined');
  });

  it("reads an env value supplied by the run", async () => {
    const result = await new WorkflowExecutorV2(registry).run(
      withEnv(undefined),
      { query: "q" },
      { env: { API_REGION: "eu" } },
    );
    expect(result.outputs).toEqual({ text: "key=eu" });
  });

  it("reports an env name the workflow does not declare at validation", () => {
    const { problems } = validateWorkflow(withEnv({ API_REGON: "eu" }), registry);
    expect(problems).toEqual([
      {
        path: "nodes[1].variable_mappings[0].selector",
        code: "unknown_env",
        message: 'env "API_REGION" is not declared in the workflow\'s env (declared: API_REGON)',
      },
    ]);
  });
});
