import type { RunHandle } from "../run-handle.ts";
import type { RunResult } from "../run-result.ts";
import type { RunOptions, WorkflowExecutorV2 } from "../workflow-executor.ts";
import { type WorkflowV2Json, workflowV1Schema } from "../workflow-schema.ts";
import { predecessorsOf, v1TypesOf } from "./upgrade-v1-workflow.ts";
import { CONTEXT_INPUT_PREFIX, V1AdapterNode } from "./v1-adapter-node.ts";

type MappingJson = NonNullable<WorkflowV2Json["nodes"][number]["variable_mappings"]>[number];

/**
 * Runs V1 workflows (one implicit context: `query` → `context` → `response`) on the V2 executor.
 * Start and end stay the real V2 nodes; every node between becomes a `v1-node` adapter that
 * delegates to the registered V2 node of the same meaning. Outputs: `{ answer, sources }`.
 *
 * @example
 * const adapter = new NodeAdapter(executor);
 * const result = await adapter.run(bot.legacy_workflow, { query: "hi" }, { system: { bot_id } });
 */
export class NodeAdapter {
  readonly #cache = new WeakMap<object, WorkflowV2Json>();

  constructor(readonly executor: WorkflowExecutorV2) {
    if (!executor.registry.has("v1-node")) executor.registry.register(new V1AdapterNode(executor.registry));
  }

  run(v1: unknown, inputs: Readonly<Record<string, unknown>>, options: RunOptions = {}): Promise<RunResult> {
    return this.start(v1, inputs, options).result;
  }

  start(v1: unknown, inputs: Readonly<Record<string, unknown>>, options: RunOptions = {}): RunHandle {
    return this.executor.start(this.adapt(v1), inputs, options);
  }

  /** The V2 graph the adapter runs for a V1 workflow (cached per JSON object). */
  adapt(json: unknown): WorkflowV2Json {
    const cached = typeof json === "object" && json !== null ? this.#cache.get(json) : undefined;
    if (cached) return cached;
    const v1 = workflowV1Schema.parse(json);
    const types = v1TypesOf(v1);
    const preds = predecessorsOf(v1);
    const typeOf = new Map(v1.nodes.map((n) => [n.id, n.type]));

    // What a node reads from predecessor `pred`: its whole context, or (from start) its outputs.
    const contextFrom = (pred: string): MappingJson[] =>
      typeOf.get(pred) === "start"
        ? (types.get(pred)?.writes ?? []).map((w) => ({ target_port: w.key, selector: [pred, w.port] }))
        : [{ target_port: `${CONTEXT_INPUT_PREFIX}${pred}`, selector: [pred, "context"] }];

    const adapted: WorkflowV2Json = {
      schema_version: 2,
      nodes: v1.nodes.map((node) => {
        const type = types.get(node.id)!;
        const nodePreds = preds.get(node.id) ?? [];
        if (node.type === "start") return { id: node.id, type: "start", config: type.config(node.data) };
        if (node.type === "end") {
          const last = nodePreds.at(-1);
          const variable_mappings: MappingJson[] =
            last === undefined
              ? []
              : type.reads.map((read) => ({
                  target_port: read.port,
                  selector: typeOf.get(last) === "start" ? [last, read.key] : [last, "context", read.key],
                }));
          return { id: node.id, type: "end", variable_mappings };
        }
        return {
          id: node.id,
          type: "v1-node",
          config: { v1_type: node.type, data: node.data },
          variable_mappings: nodePreds.flatMap(contextFrom),
        };
      }),
      edges: v1.edges.map((edge) => ({ source: edge.source, target: edge.target })),
    };
    if (typeof json === "object" && json !== null) this.#cache.set(json, adapted);
    return adapted;
  }
}
