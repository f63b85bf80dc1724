// The engine alone inside another service: register a custom node type and run a workflow.
import { BaseNodeV2, EndNode, type NodeContext, NodeRegistryV2, StartNode, WorkflowExecutorV2 } from "@portflow/engine";
import { z } from "zod";

const text = { name: "text", type: "string", required: true } as const;
const shoutConfig = z.object({ marks: z.number().int().min(0).default(1) });

class ShoutNode extends BaseNodeV2<z.output<typeof shoutConfig>, { text: string }, { text: string }> {
  readonly type = "shout";
  readonly configSchema = shoutConfig;
  ports = () => ({ inputs: [text], outputs: [text] });
  run = ({ text }: { text: string }, ctx: NodeContext<{ marks: number }>) => ({
    outputs: { text: `${text.toUpperCase()}${"!".repeat(ctx.config.marks)}` },
  });
}

const registry = new NodeRegistryV2().register(new StartNode()).register(new EndNode()).register(new ShoutNode());
const map = (target_port: string, selector: string[]) => [{ target_port, selector }];
const workflow = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start" },
    { id: "shout", type: "shout", config: { marks: 3 }, variable_mappings: map("text", ["start", "query"]) },
    { id: "end", type: "end", variable_mappings: map("answer", ["shout", "text"]) },
  ],
  edges: [
    { source: "start", target: "shout" },
    { source: "shout", target: "end" },
  ],
};

export async function main(query = "hello from the engine"): Promise<string> {
  const result = await new WorkflowExecutorV2(registry).run(workflow, { query });
  if (result.status !== "succeeded") throw new Error(result.error?.message);
  return String(result.outputs.answer);
}

if (process.argv[1]?.endsWith("main.ts")) console.log(await main(process.argv[2]));
