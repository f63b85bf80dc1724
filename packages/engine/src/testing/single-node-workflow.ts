import type { PortDefinition } from "../port-definition.ts";
import type { WorkflowV2Json } from "../workflow-schema.ts";

/** What {@link singleNodeWorkflow} builds around. */
export interface SingleNodeWorkflowOptions {
  /** The start node's inputs; each is mapped to the node's input port of the same name. */
  readonly inputs: readonly PortDefinition[];
  /** The node under test (`id`, `type`, `config`, policies); its mappings are added. */
  readonly node: WorkflowV2Json["nodes"][number] & { readonly id: string };
  /** End outputs: `[end port, node output]` pairs. */
  readonly outputs: readonly (readonly [string, string])[];
}

/**
 * `start → node → end` for testing one node type through a real run: every start input feeds the
 * node's port of the same name, and the chosen node outputs become the run's outputs.
 *
 * @example
 * singleNodeWorkflow({ inputs: [{ name: "q", type: "string" }], node: { id: "n", type: "template",
 *   config: { template: "{{q}}!" } }, outputs: [["text", "text"]] });
 */
export function singleNodeWorkflow(options: SingleNodeWorkflowOptions): WorkflowV2Json {
  const { inputs, node, outputs } = options;
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [...inputs] } },
      {
        ...node,
        variable_mappings: [
          ...(node.variable_mappings ?? []),
          ...inputs.map((input) => ({ target_port: input.name, selector: ["start", input.name] })),
        ],
      },
      {
        id: "end",
        type: "end",
        variable_mappings: outputs.map(([port, output]) => ({ target_port: port, selector: [node.id, output] })),
      },
    ],
    edges: [
      { source: "start", target: node.id },
      { source: node.id, target: "end" },
    ],
  };
}
