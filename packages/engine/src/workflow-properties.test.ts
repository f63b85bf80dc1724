import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTestRegistry } from "./testing/index.ts";
import { validateWorkflow } from "./validate-workflow.ts";
import { WorkflowExecutorV2 } from "./workflow-executor.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

type Json = WorkflowV2Json;

/** A random DAG: node i's predecessors are drawn from nodes before it; start first, end last. */
const dagArbitrary = fc.integer({ min: 1, max: 25 }).chain((middle) =>
  fc
    .tuple(
      ...Array.from({ length: middle }, (_, i) =>
        fc.uniqueArray(fc.integer({ min: 0, max: i }), { minLength: 1, maxLength: Math.min(3, i + 1) }),
      ),
      fc.array(fc.integer({ min: 0, max: 3 }), { minLength: middle, maxLength: middle }),
    )
    .map((parts): Json => {
      const delays = parts.pop() as number[];
      const predsOf = parts as number[][];
      const ids = ["start", ...Array.from({ length: middle }, (_, i) => `n${i + 1}`), "end"];
      const edges: { source: string; target: string }[] = [];
      predsOf.forEach((preds, i) => {
        for (const p of preds) edges.push({ source: ids[p]!, target: ids[i + 1]! });
      });
      const hasSuccessor = new Set(edges.map((e) => e.source));
      for (const id of ids.slice(0, -1)) if (!hasSuccessor.has(id)) edges.push({ source: id, target: "end" });
      return {
        schema_version: 2,
        nodes: ids.map((id, i) => {
          if (id === "start") return { id, type: "start" };
          if (id === "end") return { id, type: "end" };
          return { id, type: "sleep", config: { ms: delays[i - 1] ?? 0 } };
        }),
        edges,
      };
    }),
);

describe("workflow properties", () => {
  it("random valid DAGs run every node exactly once, never before its dependencies", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    await fc.assert(
      fc.asyncProperty(dagArbitrary, async (wf) => {
        expect(validateWorkflow(wf, executor.registry).problems).toEqual([]);
        const handle = executor.start(wf, { query: "q" });
        const order: string[] = [];
        handle.on("node.started", (e) => order.push(`start:${e.nodeId}`));
        handle.on("node.finished", (e) => order.push(`done:${e.nodeId}`));
        const result = await handle.result;
        expect(result.status).toBe("succeeded");
        const ran = result.nodes.map((n) => n.nodeId).sort();
        expect(ran).toEqual(wf.nodes.map((n) => n.id).sort());
        for (const edge of wf.edges ?? []) {
          expect(order.indexOf(`done:${edge.source}`)).toBeLessThan(order.indexOf(`start:${edge.target}`));
        }
      }),
      { numRuns: 60 },
    );
  });

  it("random mutations are either valid or rejected with located problems — never an uncaught exception", async () => {
    const registry = createTestRegistry();
    const executor = new WorkflowExecutorV2(registry);
    const garbage = fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.integer(),
      fc.constant({}),
      fc.constant([]),
      fc.array(fc.string(), { maxLength: 3 }),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("drop-node"), at: fc.nat() }),
      fc.record({ kind: fc.constant("drop-edge"), at: fc.nat() }),
      fc.record({
        kind: fc.constant("retype"),
        at: fc.nat(),
        type: fc.constantFrom(
          "start",
          "end",
          "llm",
          "knowledge",
          "nope",
          "template",
          "if-else",
          "variable-aggregator",
          "list-operator",
          "iteration",
          "iteration-start",
          "loop",
          "assigner",
          "answer",
        ),
      }),
      fc.record({ kind: fc.constant("parent"), at: fc.nat(), parent: fc.nat() }),
      fc.record({
        kind: fc.constant("edge"),
        from: fc.nat(),
        to: fc.nat(),
        port: fc.option(fc.constantFrom("value", "text", "fail", "x")),
      }),
      fc.record({
        kind: fc.constant("map"),
        at: fc.nat(),
        port: fc.constantFrom("value", "query", "q"),
        selector: fc.array(fc.oneof(fc.string(), fc.nat()), { maxLength: 4 }),
      }),
      fc.record({
        kind: fc.constant("field"),
        at: fc.nat(),
        field: fc.constantFrom(
          "id",
          "config",
          "retry",
          "timeout_ms",
          "error_strategy",
          "variable_mappings",
          "default_outputs",
        ),
        value: garbage,
      }),
      fc.record({ kind: fc.constant("duplicate"), at: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(dagArbitrary, fc.array(mutation, { minLength: 1, maxLength: 4 }), async (wf, mutations) => {
        const json = structuredClone(wf) as { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };
        for (const m of mutations) {
          const pick = <T>(list: T[], at: number) => list[at % Math.max(list.length, 1)];
          const node = pick(json.nodes, "at" in m ? m.at : 0);
          switch (m.kind) {
            case "drop-node":
              json.nodes.splice(m.at % json.nodes.length, 1);
              break;
            case "drop-edge":
              json.edges.splice(m.at % Math.max(json.edges.length, 1), 1);
              break;
            case "retype":
              if (node) node.type = m.type;
              break;
            case "parent": {
              const parent = pick(json.nodes, m.parent);
              if (node) node.parent_id = parent?.id ?? "ghost";
              break;
            }
            case "edge": {
              const from = pick(json.nodes, m.from);
              const to = pick(json.nodes, m.to);
              json.edges.push({
                source: from?.id ?? "ghost",
                target: to?.id ?? "ghost",
                ...(m.port ? { source_port: m.port } : {}),
              });
              break;
            }
            case "map":
              if (node) node.variable_mappings = [{ target_port: m.port, selector: m.selector }];
              break;
            case "field":
              if (node) node[m.field] = m.value;
              break;
            case "duplicate":
              if (node) json.nodes.push(structuredClone(node));
              break;
          }
        }
        const validation = validateWorkflow(json, registry);
        if (validation.ok) {
          const result = await executor.run(json, { query: "q" }, { timeoutMs: 5_000 });
          expect(["succeeded", "partial-succeeded", "failed"]).toContain(result.status);
        } else {
          expect(validation.problems.length).toBeGreaterThan(0);
          for (const p of validation.problems) {
            expect(p.path.length).toBeGreaterThan(0);
            expect(p.message.length).toBeGreaterThan(0);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** A body of 1–3 chained nodes, each a leaf or (while depth allows) an iteration or loop. */
type BodySpec = readonly NodeSpec[];
type NodeSpec =
  | { readonly kind: "leaf" }
  | { readonly kind: "iteration"; readonly rounds: number; readonly parallel: boolean; readonly body: BodySpec }
  | { readonly kind: "loop"; readonly rounds: number; readonly body: BodySpec };

function bodyArbitrary(depth: number): fc.Arbitrary<BodySpec> {
  const leaf = fc.constant<NodeSpec>({ kind: "leaf" });
  const node: fc.Arbitrary<NodeSpec> =
    depth >= 3
      ? leaf
      : fc.oneof(
          { weight: 2, arbitrary: leaf },
          fc.record({
            kind: fc.constant("iteration" as const),
            rounds: fc.integer({ min: 0, max: 3 }),
            parallel: fc.boolean(),
            body: fc.constant(null).chain(() => bodyArbitrary(depth + 1)),
          }),
          fc.record({
            kind: fc.constant("loop" as const),
            rounds: fc.integer({ min: 1, max: 3 }),
            body: fc.constant(null).chain(() => bodyArbitrary(depth + 1)),
          }),
        );
  return fc.array(node, { minLength: 1, maxLength: 3 });
}

/** Builds the workflow; `expected` gets each leaf's number of executions and `chains` its body order. */
function nestedWorkflow(top: BodySpec) {
  const nodes: Json["nodes"] = [{ id: "start", type: "start" }];
  const edges: { source: string; target: string }[] = [];
  const expected = new Map<string, number>();
  const chains: string[][] = [];
  let next = 0;
  const build = (body: BodySpec, parent: string | undefined, multiplier: number): string[] => {
    const ids: string[] = [];
    for (const spec of body) {
      const id = `${spec.kind[0]}${next++}`;
      ids.push(id);
      const parent_id = parent === undefined ? {} : { parent_id: parent };
      if (spec.kind === "leaf") {
        nodes.push({ id, type: "sleep", config: { ms: 0 }, ...parent_id });
        expected.set(id, multiplier);
      } else if (spec.kind === "iteration") {
        nodes.push({
          id,
          type: "iteration",
          config: { parallel: spec.parallel, parallelism: 2 },
          variable_mappings: [{ target_port: "items", value: Array.from({ length: spec.rounds }, (_, i) => i) }],
          ...parent_id,
        });
        build(spec.body, id, multiplier * spec.rounds);
      } else {
        nodes.push({ id, type: "loop", config: { max_iterations: spec.rounds }, ...parent_id });
        build(spec.body, id, multiplier * spec.rounds);
      }
    }
    for (let i = 1; i < ids.length; i++) edges.push({ source: ids[i - 1]!, target: ids[i]! });
    chains.push(ids);
    return ids;
  };
  const topIds = build(top, undefined, 1);
  nodes.push({ id: "end", type: "end" });
  edges.push({ source: "start", target: topIds[0]! }, { source: topIds.at(-1)!, target: "end" });
  const workflow: Json = { schema_version: 2, nodes, edges };
  return { workflow, expected, chains };
}

describe("sub-graph properties", () => {
  it("random iterations and loops (nested up to 3 deep) run every body node exactly `rounds` times, in order", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    await fc.assert(
      fc.asyncProperty(bodyArbitrary(0), async (top) => {
        const { workflow, expected, chains } = nestedWorkflow(top);
        expect(validateWorkflow(workflow, executor.registry).problems).toEqual([]);
        const result = await executor.run(workflow, { query: "q" });
        expect(result.status).toBe("succeeded");
        const counts = new Map<string, number>();
        for (const n of result.nodes) counts.set(n.nodeId, (counts.get(n.nodeId) ?? 0) + 1);
        for (const [id, times] of expected) expect(counts.get(id) ?? 0).toBe(times);
        // Within every body, a node never finishes more often than the one before it had.
        const seen = new Map<string, number>();
        for (const n of result.nodes) {
          seen.set(n.nodeId, (seen.get(n.nodeId) ?? 0) + 1);
          for (const chain of chains) {
            const at = chain.indexOf(n.nodeId);
            if (at > 0) expect(seen.get(chain[at - 1]!) ?? 0).toBeGreaterThanOrEqual(seen.get(n.nodeId)!);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
