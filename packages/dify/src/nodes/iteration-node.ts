import { z } from "zod";
import { difySelector, parseAt } from "../dify-dsl-schema.ts";
import { NodeInputs } from "../node-inputs.ts";
import type { NodeMapper } from "../node-mapper.ts";
import { portflowNode, portTypeOf } from "../portflow-node.ts";

const iterationSchema = z.looseObject({
  iterator_selector: difySelector.nullish(),
  output_selector: difySelector.nullish(),
  output_type: z.string().nullish(),
  is_parallel: z.boolean().nullish(),
  parallel_nums: z.number().int().min(1).nullish(),
  error_handle_mode: z.enum(["terminated", "continue-on-error", "remove-abnormal-output"]).nullish(),
  flatten_output: z.boolean().nullish(),
});

const ERROR_MODES = {
  terminated: "terminate",
  "continue-on-error": "continue-on-error",
  "remove-abnormal-output": "remove-abnormal-output",
} as const;

/** The element type of a Dify `array[x]` type. */
function elementType(arrayType: string | null | undefined): string {
  const inner = /^array\[(.+)\]$/.exec(arrayType ?? "")?.[1];
  return portTypeOf(inner);
}

/**
 * `iteration` (its body: the nodes whose `parentId` is it, `iteration-start` included): items from
 * `iterator_selector`, `output_selector`, parallel mode and error mode carry over.
 */
export const mapIteration: NodeMapper = (node, ctx) => {
  const at = [...node.path, "data"];
  const data = parseAt(iterationSchema, node.data, at, ctx);
  if (data === undefined) return undefined;
  const inputs = new NodeInputs(ctx);
  if (data.iterator_selector && data.iterator_selector.length > 0) {
    inputs.bind("items", data.iterator_selector, [...at, "iterator_selector"]);
  } else {
    ctx.problem([...at, "iterator_selector"], "unknown_selector", "the iteration names no array to iterate over");
  }
  const config: Record<string, unknown> = {
    output_type: elementType(data.output_type),
    parallel: data.is_parallel ?? false,
    parallelism: data.parallel_nums ?? 10,
    // exports before flatten_output existed did not flatten
    flatten_output: data.flatten_output ?? false,
    error_mode: ERROR_MODES[data.error_handle_mode ?? "terminated"],
  };
  if (data.output_selector && data.output_selector.length > 0) {
    const selector = ctx.selector(data.output_selector, [...at, "output_selector"]);
    if (selector !== undefined) config.output_selector = selector;
  }
  return {
    nodes: [portflowNode(node, "iteration", config, inputs, ctx)],
    portflowType: "iteration",
    notes: inputs.notes,
  };
};
