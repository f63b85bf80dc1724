import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import type { NodePortSchema } from "../port-definition.ts";

const answerConfigSchema = z
  .object({
    /** What to say: a template over the node's inputs, `{{sys.*}}`, `{{env.*}}`, `{{conversation.*}}`. */
    answer: z.string().min(1, "an answer needs text"),
  })
  .strict();
export type AnswerConfig = z.output<typeof answerConfigSchema>;

/**
 * `answer`: says something to the chat client. Its text streams as soon as its inputs are ready —
 * when the template embeds an LLM node's `text`, the tokens stream through as they arrive — and
 * several answers stream in graph order. The run's `outputs.answer` is every answer's text, joined.
 *
 * @example
 * { "id": "reply", "type": "answer", "config": { "answer": "Hi {{conversation.name}}! {{text}}" },
 *   "variable_mappings": [{ "target_port": "text", "selector": ["llm", "text"] }] }
 */
export class AnswerNode extends BaseNodeV2<AnswerConfig, Record<string, unknown>, { answer: string }> {
  readonly type = "answer";
  override readonly description = "Streams text to the chat client, in graph order.";
  readonly configSchema = answerConfigSchema;

  ports(config?: AnswerConfig): NodePortSchema {
    return {
      inputs: [],
      outputs: [{ name: "answer", type: "string" }],
      dynamicInputs: true,
      templates: [{ path: ["answer"], template: config?.answer ?? "" }],
    };
  }

  run(inputs: Record<string, unknown>, ctx: NodeContext<AnswerConfig>): NodeRunResult<{ answer: string }> {
    return { outputs: { answer: ctx.render(ctx.config.answer, inputs) } };
  }
}
