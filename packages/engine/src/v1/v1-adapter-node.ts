import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import type { NodeRegistryV2 } from "../node-registry.ts";
import type { NodePortSchema } from "../port-definition.ts";
import { V1_NODE_TYPES } from "./v1-node-types.ts";

const adapterConfigSchema = z.object({
  v1_type: z.string().refine((t) => Object.hasOwn(V1_NODE_TYPES, t), { message: "unknown V1 node type" }),
  data: z.record(z.string(), z.unknown()).default({}),
});
type AdapterConfig = z.output<typeof adapterConfigSchema>;

/** Inputs named `ctx_<node>` carry a predecessor's whole context; other inputs are single keys. */
export const CONTEXT_INPUT_PREFIX = "ctx_";

/**
 * `v1-node`: runs one V1 node on the V2 executor. It merges the implicit contexts of its
 * predecessors, feeds the keys its V1 type reads to the registered V2 node of the same meaning,
 * and writes that node's outputs back as context keys — so V1 semantics ride on V2 nodes.
 */
export class V1AdapterNode extends BaseNodeV2<AdapterConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "v1-node";
  override readonly description = "Runs a V1 node (shared implicit context) through its V2 equivalent.";
  readonly configSchema = adapterConfigSchema;

  constructor(private readonly registry: NodeRegistryV2) {
    super();
  }

  ports(): NodePortSchema {
    return { inputs: [], outputs: [{ name: "context", type: "object" }], dynamicInputs: true };
  }

  async run(
    inputs: Record<string, unknown>,
    ctx: NodeContext<AdapterConfig>,
  ): Promise<NodeRunResult<Record<string, unknown>>> {
    const context: Record<string, unknown> = {};
    for (const [port, value] of Object.entries(inputs)) {
      if (port.startsWith(CONTEXT_INPUT_PREFIX)) Object.assign(context, value);
      else context[port] = value;
    }
    const v1Type = V1_NODE_TYPES[ctx.config.v1_type]!;
    const target = this.registry.get(v1Type.v2Type);
    if (!target)
      throw new Error(
        `V1 node type "${ctx.config.v1_type}" needs V2 node type "${v1Type.v2Type}", which is not registered`,
      );
    const config = target.configSchema.parse(v1Type.config(ctx.config.data));
    const targetInputs: Record<string, unknown> = {};
    for (const read of v1Type.reads) if (context[read.key] !== undefined) targetInputs[read.port] = context[read.key];
    const result = await target.run(targetInputs, { ...delegateContext(ctx), config });
    for (const write of v1Type.writes) context[write.key] = result.outputs[write.port];
    return { ...result, outputs: { context } };
  }
}

/** The caller's context with its getters read once, so a spread keeps them. */
function delegateContext(ctx: NodeContext<unknown>): NodeContext<unknown> {
  return {
    runId: ctx.runId,
    nodeId: ctx.nodeId,
    config: ctx.config,
    services: ctx.services,
    signal: ctx.signal,
    emit: ctx.emit,
    logger: ctx.logger,
    system: ctx.system,
    render: (template, inputs) => ctx.render(template, inputs),
    attempt: ctx.attempt,
    conversation: ctx.conversation,
  };
}
