import { z } from "zod";
import { BaseNodeV2, type NodeRunResult } from "../base-node.ts";
import { type NodePortSchema, portDefinitionSchema } from "../port-definition.ts";

const endConfigSchema = z
  .object({
    /** Declared outputs; when empty, every mapped input becomes an output of type `any`. */
    outputs: z.array(portDefinitionSchema).default([]),
  })
  .strict();
export type EndConfig = z.output<typeof endConfigSchema>;

/** `end`: the run's outputs, collected from its mapped or wired inputs. */
export class EndNode extends BaseNodeV2<EndConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "end";
  override readonly description = "Exit point: the run's outputs are this node's inputs.";
  readonly configSchema = endConfigSchema;

  ports(config: EndConfig): NodePortSchema {
    if (config.outputs.length === 0) return { inputs: [], outputs: [], dynamicInputs: true };
    return { inputs: config.outputs, outputs: config.outputs };
  }

  run(inputs: Record<string, unknown>): NodeRunResult<Record<string, unknown>> {
    return { outputs: inputs };
  }
}
