import { z } from "zod";
import { BaseNodeV2, type NodeContext, type NodeRunResult } from "../base-node.ts";
import type { BodyRunner } from "../body-runner.ts";
import type { NodePortSchema } from "../port-definition.ts";
import { portTypeSchema } from "../port-definition.ts";
import { type ValueSelector, valueSelectorSchema } from "../value-selector.ts";

const iterationConfigSchema = z
  .object({
    /** The body output collected per round, `[bodyNodeId, port, ...path]`; absent: `null` per round. */
    output_selector: valueSelectorSchema.optional(),
    /** The type of one collected value (validation checks what the selector points at). */
    output_type: portTypeSchema.default("any"),
    /** Run rounds concurrently, up to `parallelism` at once. */
    parallel: z.boolean().default(false),
    parallelism: z.number().int().min(1).default(10),
    /** Concatenate collected arrays into one array. */
    flatten_output: z.boolean().default(false),
    /**
     * A failed round: `terminate` fails the node; `continue-on-error` puts null in its slot;
     * `remove-abnormal-output` drops its slot.
     */
    error_mode: z.enum(["terminate", "continue-on-error", "remove-abnormal-output"]).default("terminate"),
  })
  .strict();
export type IterationConfig = z.output<typeof iterationConfigSchema>;

type Slot = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export class IterationRoundError extends Error {
  override readonly name = "IterationRoundError";
  readonly code = "ITERATION_FAILED";
}

/**
 * `iteration`: runs its body (the nodes whose `parent_id` is this node) once per item of `items`,
 * with `[iterationId, "item"]` and `[iterationId, "index"]` readable inside, and outputs the
 * array of the body's chosen output in input order.
 *
 * @example
 * { "id": "each", "type": "iteration",
 *   "config": { "output_selector": ["answer_one", "text"], "parallel": true, "parallelism": 4 },
 *   "variable_mappings": [{ "target_port": "items", "selector": ["split", "result"] }] },
 * { "id": "answer_one", "type": "llm", "parent_id": "each", "config": { "user_prompt": "{{q}}" },
 *   "variable_mappings": [{ "target_port": "q", "selector": ["each", "item"] }] }
 */
export class IterationNode extends BaseNodeV2<IterationConfig, { items: unknown[] }, { output: unknown[] }> {
  readonly type = "iteration";
  override readonly description = "Runs its body once per item of an array; outputs the collected results.";
  override readonly container = { startType: "iteration-start" };
  readonly configSchema = iterationConfigSchema;

  ports(config: IterationConfig): NodePortSchema {
    return {
      inputs: [{ name: "items", type: "array", required: true }],
      outputs: [{ name: "output", type: "array" }],
      bodyVariables: [
        { name: "item", type: "any" },
        { name: "index", type: "number" },
      ],
      ...(config.output_selector !== undefined && {
        bodySelectors: [{ path: "output_selector", selector: config.output_selector, type: config.output_type }],
      }),
    };
  }

  async run(
    inputs: { items: unknown[] },
    ctx: NodeContext<IterationConfig>,
  ): Promise<NodeRunResult<{ output: unknown[] }>> {
    const body = ctx.body as BodyRunner;
    const { parallel, parallelism, error_mode, output_selector, flatten_output } = ctx.config;
    const items = inputs.items;
    const slots: Slot[] = new Array(items.length);
    let firstFailure: { index: number; message: string } | undefined;

    const runRound = async (index: number): Promise<void> => {
      const round = await body.run({ index, vars: { item: items[index], index } });
      if (round.status === "succeeded") {
        const value = output_selector === undefined ? null : round.read(output_selector as ValueSelector);
        slots[index] = { ok: true, value: value ?? null };
        return;
      }
      const message = round.error?.message ?? "the round did not finish";
      slots[index] = { ok: false, error: message };
      if (round.status === "failed" && error_mode === "terminate" && firstFailure === undefined) {
        firstFailure = { index, message };
        // Rounds still running under `terminate` stop.
        body.stop(`round ${index} failed: ${message}`);
      }
    };

    let next = 0;
    const worker = async () => {
      while (next < items.length && firstFailure === undefined && !ctx.signal.aborted) await runRound(next++);
    };
    await Promise.all(Array.from({ length: parallel ? Math.min(parallelism, items.length) : 1 }, worker));
    ctx.signal.throwIfAborted();
    if (firstFailure !== undefined) {
      throw new IterationRoundError(`round ${firstFailure.index} failed: ${firstFailure.message}`);
    }

    const output: unknown[] = [];
    const failed: number[] = [];
    for (const [index, slot] of slots.entries()) {
      if (!slot.ok) {
        failed.push(index);
        if (error_mode === "continue-on-error") output.push(null);
        continue;
      }
      if (flatten_output && Array.isArray(slot.value)) output.push(...slot.value);
      else output.push(slot.value);
    }
    return { outputs: { output }, processData: { rounds: items.length, failed_rounds: failed } };
  }
}
