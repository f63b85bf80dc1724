import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import type { NodePortSchema } from "../port-definition.ts";

const templateConfigSchema = z
  .object({
    template: z.string().default(""),
  })
  .strict();
export type TemplateConfig = z.output<typeof templateConfigSchema>;

/** `template`: renders `config.template` over its inputs (any mapped port) into `text`. */
export class TemplateNode extends BaseNodeV2<TemplateConfig, Record<string, unknown>, { text: string }> {
  readonly type = "template";
  override readonly description = "Renders a string from its inputs: {{port}}, {{sys.query}}, {{env.NAME}}.";
  readonly configSchema = templateConfigSchema;

  ports(config?: TemplateConfig): NodePortSchema {
    return {
      inputs: [],
      outputs: [{ name: "text", type: "string" }],
      dynamicInputs: true,
      templates: [{ path: ["template"], template: config?.template ?? "" }],
    };
  }

  run(inputs: Record<string, unknown>, ctx: NodeContext<TemplateConfig>): NodeRunResult<{ text: string }> {
    return { outputs: { text: ctx.render(ctx.config.template, inputs) } };
  }
}
