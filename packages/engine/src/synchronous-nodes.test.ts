import { describe, expect, it } from "vitest";
import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "./base-node.ts";
import type { NodePortSchema } from "./port-definition.ts";
import { createTestRegistry } from "./testing/index.ts";
import { WorkflowExecutorV2 } from "./workflow-executor.ts";
import type { WorkflowV2Json } from "./workflow-schema.ts";

// Nodes that return (or throw) without a promise settle at once, without a tick per node:
// these pin down that such nodes keep every behaviour of the asynchronous path.

const flakyConfig = z.object({ fail_times: z.number().int().default(0) });

/** Throws synchronously on its first `fail_times` attempts; streams through a detached `emit`. */
class SyncFlakyNode extends BaseNodeV2<z.output<typeof flakyConfig>> {
  readonly type = "sync-flaky";
  readonly configSchema = flakyConfig;
  ports(): NodePortSchema {
    return { inputs: [], outputs: [{ name: "text", type: "string" }] };
  }
  run(
    _inputs: Record<string, unknown>,
    ctx: NodeContext<z.output<typeof flakyConfig>>,
  ): NodeRunResult<{ text: string }> {
    if (ctx.attempt <= ctx.config.fail_times) throw new Error(`sync failure on attempt ${ctx.attempt}`);
    // Handed on as a plain callback, the way a streaming client library takes one.
    const { emit } = ctx;
    for (const chunk of ["a", "b"]) emit(chunk);
    return { outputs: { text: "ab" } };
  }
}

const registry = createTestRegistry().register(new SyncFlakyNode());

/** start → n0 → n1 → … → end, every node synchronous. */
function chain(length: number, node: Partial<WorkflowV2Json["nodes"][number]>): WorkflowV2Json {
  const ids = Array.from({ length }, (_, i) => `n${i}`);
  const all = ["start", ...ids, "end"];
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start" },
      ...ids.map((id) => ({ id, type: "sync-flaky", ...node })),
      { id: "end", type: "end", variable_mappings: [{ target_port: "text", selector: [ids.at(-1)!, "text"] }] },
    ],
    edges: all.slice(1).map((target, i) => ({ source: all[i]!, target })),
  };
}

describe("synchronous nodes", () => {
  it("retries a node that throws synchronously, announcing each retry with its backoff", async () => {
    const executor = new WorkflowExecutorV2(registry);
    const workflow = chain(1, {
      config: { fail_times: 2 },
      retry: { max_attempts: 3, initial_delay_ms: 5, backoff: 2 },
    });
    const handle = executor.start(workflow, { query: "x" });
    const retries: [number, number][] = [];
    handle.on("node.retrying", ({ attempt, delayMs }) => retries.push([attempt, delayMs]));
    const result = await handle.result;
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({ text: "ab" });
    expect(result.nodes.find((n) => n.nodeId === "n0")?.attempts).toBe(3);
    expect(retries).toEqual([
      [2, 5],
      [3, 10],
    ]);
  });

  it("fails the run with a synchronous throw when no attempt is left, running nothing after it", async () => {
    const result = await new WorkflowExecutorV2(registry).run(chain(2, { config: { fail_times: 1 } }), {
      query: "x",
    });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ nodeId: "n0", message: 'node "n0" failed: sync failure on attempt 1' });
    expect(result.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ["start", "succeeded"],
      ["n0", "failed"],
    ]);
  });

  it("stops a chain when a listener cancels the run between two of its nodes", async () => {
    const controller = new AbortController();
    const handle = new WorkflowExecutorV2(registry).start(chain(5, {}), { query: "x" }, { signal: controller.signal });
    handle.on("node.finished", ({ nodeId }) => {
      if (nodeId === "n1") controller.abort();
    });
    const result = await handle.result;
    expect(result.status).toBe("cancelled");
    expect(result.nodes.map((n) => n.nodeId)).toEqual(["start", "n0", "n1"]);
  });

  it("delivers chunks emitted through a detached ctx.emit, in order, before the node finishes", async () => {
    const handle = new WorkflowExecutorV2(registry).start(chain(2, {}), { query: "x" });
    const seen: string[] = [];
    handle.on("node.chunk", ({ nodeId, chunk }) => seen.push(`${nodeId}:${chunk}`));
    handle.on("node.finished", ({ nodeId }) => seen.push(`${nodeId} finished`));
    await handle.result;
    expect(seen.filter((s) => s.startsWith("n"))).toEqual([
      "n0:a",
      "n0:b",
      "n0 finished",
      "n1:a",
      "n1:b",
      "n1 finished",
    ]);
  });
});
