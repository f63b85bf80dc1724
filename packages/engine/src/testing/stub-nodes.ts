import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import { registerBuiltinNodes } from "../builtin/builtin-nodes.ts";
import { NodeRegistryV2 } from "../node-registry.ts";
import type { NodePortSchema } from "../port-definition.ts";

/**
 * `knowledge` stand-in: returns `top_k` fixed documents about the query, no I/O.
 * Same ports and config names as the real node in @portflow/nodes.
 */
export class StubKnowledgeNode extends BaseNodeV2<
  { top_k: number; score_threshold: number },
  { query: string },
  Record<string, unknown>
> {
  readonly type = "knowledge";
  readonly configSchema = z.object({
    top_k: z.number().int().min(1).default(5),
    score_threshold: z.number().default(0),
  });
  ports(): NodePortSchema {
    return {
      inputs: [{ name: "query", type: "string", required: true }],
      outputs: [
        { name: "documents", type: "documents" },
        { name: "context", type: "string" },
      ],
    };
  }
  async run(inputs: { query: string }, ctx: NodeContext<{ top_k: number }>) {
    const documents = Array.from({ length: ctx.config.top_k }, (_, i) => ({
      content: `fact ${i + 1} about ${inputs.query}`,
      score: 1 - i / 10,
      metadata: {},
      document_id: "doc-1",
      chunk_index: i,
    }));
    const context = documents.map((d, i) => `[${i + 1}] ${d.content}`).join("\n");
    return { outputs: { documents, context }, processData: { query: inputs.query } };
  }
}

/** `llm` stand-in: renders its prompt, streams it back in two chunks, counts words as tokens. */
export class StubLlmNode extends BaseNodeV2<
  { user_prompt: string; system_prompt: string },
  Record<string, unknown>,
  Record<string, unknown>
> {
  readonly type = "llm";
  override readonly streamsTo = "text";
  readonly configSchema = z
    .object({ user_prompt: z.string().default("{{query}}"), system_prompt: z.string().default("") })
    .passthrough();
  ports(config?: { user_prompt: string; system_prompt: string }): NodePortSchema {
    return {
      templates: [
        { path: ["system_prompt"], template: config?.system_prompt ?? "" },
        { path: ["user_prompt"], template: config?.user_prompt ?? "{{query}}" },
      ],
      inputs: [
        { name: "query", type: "string" },
        { name: "context", type: "string" },
        { name: "messages", type: "messages" },
      ],
      outputs: [
        { name: "text", type: "string" },
        { name: "usage", type: "object" },
        { name: "stop_reason", type: "string" },
      ],
      dynamicInputs: true,
    };
  }
  async run(
    inputs: Record<string, unknown>,
    ctx: NodeContext<{ user_prompt: string }>,
  ): Promise<NodeRunResult<Record<string, unknown>>> {
    const prompt = ctx.render(ctx.config.user_prompt, inputs);
    const text = `answer: ${prompt}`;
    const half = Math.ceil(text.length / 2);
    ctx.emit(text.slice(0, half));
    ctx.emit(text.slice(half));
    const tokens = { input: prompt.split(/\s+/).length, output: text.split(/\s+/).length };
    return {
      outputs: { text, usage: { input_tokens: tokens.input, output_tokens: tokens.output }, stop_reason: "end_turn" },
      processData: { prompt },
      tokens,
    };
  }
}

const sleepConfig = z.object({
  ms: z.number().int().min(0).default(0),
  /** Fail this many attempts before succeeding (-1: always). */
  fail_times: z.number().int().default(0),
  /** Ignore the abort signal (to prove the executor still stops waiting). */
  ignore_signal: z.boolean().default(false),
});
type SleepConfig = z.output<typeof sleepConfig>;

/** Test node: waits `ms` (honouring the signal), optionally failing first; outputs `value` = its input or its id. */
export class SleepNode extends BaseNodeV2<SleepConfig, Record<string, unknown>, Record<string, unknown>> {
  readonly type = "sleep";
  readonly configSchema = sleepConfig;
  ports(): NodePortSchema {
    return { inputs: [{ name: "value", type: "any" }], outputs: [{ name: "value", type: "any" }], dynamicInputs: true };
  }
  async run(inputs: Record<string, unknown>, ctx: NodeContext<SleepConfig>) {
    const { ms, fail_times, ignore_signal } = ctx.config;
    if (ms > 0) {
      if (ignore_signal) await new Promise((resolve) => setTimeout(resolve, ms));
      else {
        await sleep(ms, undefined, { signal: ctx.signal }).catch(() => {
          throw ctx.signal.reason;
        });
      }
    }
    if (fail_times < 0 || ctx.attempt <= fail_times) throw new Error(`planned failure on attempt ${ctx.attempt}`);
    return { outputs: { value: inputs.value ?? ctx.nodeId } };
  }
}

/** A registry with the built-ins plus the stub knowledge/llm and the sleep node. */
export function createTestRegistry(): NodeRegistryV2 {
  return registerBuiltinNodes(new NodeRegistryV2())
    .register(new StubKnowledgeNode())
    .register(new StubLlmNode())
    .register(new SleepNode());
}
