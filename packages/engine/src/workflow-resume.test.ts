import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BaseNodeV2, type NodeContext } from "./base-node.ts";
import type { NodePortSchema } from "./port-definition.ts";
import { createTestRegistry } from "./testing/index.ts";
import { WorkflowExecutorV2 } from "./workflow-executor.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

/** Outputs its id over its inputs in port order, and counts its executions: what a resume must not repeat. */
class JoinNode extends BaseNodeV2<Record<string, never>, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "join";
  readonly configSchema = z.object({});
  readonly runs = new Map<string, number>();
  ports(): NodePortSchema {
    return { inputs: [], outputs: [{ name: "value", type: "string" }], dynamicInputs: true };
  }
  run(inputs: Record<string, unknown>, ctx: NodeContext<Record<string, never>>) {
    this.runs.set(ctx.nodeId, (this.runs.get(ctx.nodeId) ?? 0) + 1);
    const parts = Object.keys(inputs)
      .sort()
      .map((k) => String(inputs[k]));
    return { outputs: { value: `${ctx.nodeId}(${parts.join(",")})` } };
  }
}

/** A random DAG whose every value depends on all of its node's predecessors, and a prefix length. */
const caseArbitrary = fc.integer({ min: 1, max: 12 }).chain((middle) =>
  fc
    .tuple(
      fc.tuple(
        ...Array.from({ length: middle }, (_, i) =>
          fc.uniqueArray(fc.integer({ min: 0, max: i }), { minLength: 1, maxLength: Math.min(3, i + 1) }),
        ),
      ),
      fc.integer({ min: 0, max: middle + 2 }),
    )
    .map(([predsOf, prefix]): { wf: WorkflowV2Json; prefix: number } => {
      const ids = ["start", ...Array.from({ length: middle }, (_, i) => `n${i + 1}`)];
      const edges: { source: string; target: string }[] = [];
      const nodes: WorkflowV2Json["nodes"] = [
        { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
      ];
      predsOf.forEach((preds, i) => {
        const id = ids[i + 1] as string;
        for (const p of preds) edges.push({ source: ids[p] as string, target: id });
        nodes.push({
          id,
          type: "join",
          variable_mappings: preds.map((p) => ({
            target_port: `in_${p}`,
            selector: p === 0 ? ["start", "query"] : [ids[p] as string, "value"],
          })),
        });
      });
      const last = ids[ids.length - 1] as string;
      edges.push({ source: last, target: "end" });
      nodes.push({ id: "end", type: "end", variable_mappings: [{ target_port: "out", selector: [last, "value"] }] });
      return { wf: { schema_version: 2, nodes, edges }, prefix };
    }),
);

describe("resuming a run", () => {
  it("for random DAGs and any prefix of finished nodes, gives the uninterrupted outputs and never re-runs a finished node", async () => {
    const join = new JoinNode();
    const executor = new WorkflowExecutorV2(createTestRegistry().register(join));
    await fc.assert(
      fc.asyncProperty(caseArbitrary, async ({ wf, prefix }) => {
        const full = await executor.run(wf, { query: "q" });
        expect(full.status).toBe("succeeded");
        const done = full.nodes.slice(0, Math.min(prefix, full.nodes.length));
        join.runs.clear();
        const resumed = await executor.run(
          wf,
          { query: "q" },
          {
            resume: {
              completed: done.map((n) => ({ nodeId: n.nodeId, outputs: n.outputs })),
              stepOffset: done.length,
            },
          },
        );
        expect(resumed.status).toBe("succeeded");
        expect(resumed.outputs).toEqual(full.outputs);
        const doneIds = new Set(done.map((n) => n.nodeId));
        for (const id of doneIds) expect(join.runs.get(id) ?? 0).toBe(0);
        expect(resumed.nodes.map((n) => n.nodeId).sort()).toEqual(
          full.nodes
            .map((n) => n.nodeId)
            .filter((id) => !doneIds.has(id))
            .sort(),
        );
        // Step indexes continue after the earlier attempt's.
        expect(resumed.nodes.map((n) => n.stepIndex)).toEqual(resumed.nodes.map((_, i) => done.length + i + 1));
      }),
      { numRuns: 80 },
    );
  });

  it("follows a restored if/else node's recorded branch: the branch not taken is skipped again", async () => {
    const executor = new WorkflowExecutorV2(createTestRegistry());
    const wf: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
        {
          id: "check",
          type: "if-else",
          config: { cases: [{ id: "yes", conditions: [{ input: "q", operator: "equals", value: "a" }] }] },
          variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
        },
        { id: "yes_path", type: "sleep" },
        { id: "no_path", type: "sleep" },
        { id: "end", type: "end" },
      ],
      edges: [
        { source: "start", target: "check" },
        { source: "check", source_port: "yes", target: "yes_path" },
        { source: "check", source_port: "false", target: "no_path" },
        { source: "yes_path", target: "end" },
        { source: "no_path", target: "end" },
      ],
    };
    const full = await executor.run(wf, { query: "a" });
    expect(full.status).toBe("succeeded");
    const check = full.nodes.find((n) => n.nodeId === "check");
    expect(check?.branch).toBe("yes");
    const start = full.nodes.find((n) => n.nodeId === "start");
    // Resumed with a different query: only the recorded branch decides which path runs.
    const resumed = await executor.run(
      wf,
      { query: "b" },
      {
        resume: {
          completed: [start, check].map((n) => ({
            nodeId: n?.nodeId ?? "",
            outputs: n?.outputs ?? {},
            ...(n?.branch !== undefined && { branch: n.branch }),
          })),
        },
      },
    );
    expect(resumed.status).toBe("succeeded");
    const statuses = Object.fromEntries(resumed.nodes.map((n) => [n.nodeId, n.status]));
    expect(statuses).toEqual({ yes_path: "succeeded", no_path: "skipped", end: "succeeded" });
  });
});
