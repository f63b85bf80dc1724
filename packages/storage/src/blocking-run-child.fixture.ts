/**
 * Child process of the kill test (run-recorder-kill.int.test.ts): runs start → template → block
 * → end with a PgRunRecorder, where `block` never finishes. The parent SIGKILLs this process
 * once nodes 1–2 are recorded. Usage: node --import tsx blocking-run-child.fixture.ts <databaseUrl> <botId> <runId>
 */
import {
  BaseNodeV2,
  EndNode,
  type NodePortSchema,
  NodeRegistryV2,
  type NodeRunResult,
  ServiceContainer,
  Services,
  StartNode,
  TemplateNode,
  WorkflowExecutorV2,
} from "@portflow/engine";
import { z } from "zod";
import { openDatabase } from "./open-database.ts";
import { PgRunRecorder } from "./pg-run-recorder.ts";

/** Waits until aborted: the node that is running when the process dies. */
class BlockNode extends BaseNodeV2<Record<string, never>, Record<string, unknown>, { value: string }> {
  readonly type = "block";
  readonly configSchema = z.object({}) as unknown as z.ZodType<Record<string, never>>;
  ports(): NodePortSchema {
    return { inputs: [], outputs: [{ name: "value", type: "string" }], dynamicInputs: true };
  }
  run(_inputs: Record<string, unknown>, ctx: { signal: AbortSignal }): Promise<NodeRunResult<{ value: string }>> {
    process.stdout.write("blocking\n");
    return new Promise((_resolve, reject) => {
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
    });
  }
}

const [databaseUrl, botId, runId] = process.argv.slice(2);
if (!databaseUrl || !botId || !runId) throw new Error("usage: <databaseUrl> <botId> <runId>");

const database = await openDatabase({ databaseUrl, embeddingDimensions: 8 });
const recorder = new PgRunRecorder(database.db, { leaseMs: 1_000 });
const registry = new NodeRegistryV2()
  .register(new StartNode())
  .register(new TemplateNode())
  .register(new BlockNode())
  .register(new EndNode());
const executor = new WorkflowExecutorV2(registry, {
  services: new ServiceContainer().register(Services.RunRecorder, recorder),
});
const workflow = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start" },
    {
      id: "greet",
      type: "template",
      config: { template: "hello {{q}}" },
      variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
    },
    {
      id: "wait",
      type: "block",
      timeout_ms: 600_000,
      variable_mappings: [{ target_port: "text", selector: ["greet", "text"] }],
    },
    { id: "end", type: "end", variable_mappings: [{ target_port: "value", selector: ["wait", "value"] }] },
  ],
  edges: [
    { source: "start", target: "greet" },
    { source: "greet", target: "wait" },
    { source: "wait", target: "end" },
  ],
};
process.stdout.write("running\n");
await executor.run(workflow, { query: "world" }, { runId, record: { botId, trigger: "debug" } });
process.stdout.write("finished (unexpected)\n");
