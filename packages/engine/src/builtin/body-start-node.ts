import { z } from "zod";
import { BaseNodeV2, type NodeRunResult } from "../base-node.ts";
import type { NodePortSchema } from "../port-definition.ts";

/**
 * `iteration-start` / `loop-start`: the optional entry node of a container's body (editors draw
 * one). It does nothing; body nodes read the round's values from the container itself.
 */
export class BodyStartNode extends BaseNodeV2<Record<string, never>, Record<string, never>, Record<string, never>> {
  readonly configSchema = z.object({}).strict() as unknown as z.ZodType<Record<string, never>>;
  override readonly description: string;

  constructor(readonly type: "iteration-start" | "loop-start") {
    super();
    this.description = `Entry of a${type === "iteration-start" ? "n iteration" : " loop"}'s body (optional).`;
  }

  ports(): NodePortSchema {
    return { inputs: [], outputs: [] };
  }

  run(): NodeRunResult<Record<string, never>> {
    return { outputs: {} };
  }
}
