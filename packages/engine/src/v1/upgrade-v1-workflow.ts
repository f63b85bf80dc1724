import { type WorkflowV1, type WorkflowV2Json, workflowV1Schema } from "../workflow-schema.ts";
import { UnknownV1NodeTypesError, V1_NODE_TYPES, type V1NodeType } from "./v1-node-types.ts";

type MappingJson = NonNullable<WorkflowV2Json["nodes"][number]["variable_mappings"]>[number];

/** Predecessors of each node in the order their edges appear. */
export function predecessorsOf(v1: WorkflowV1): Map<string, string[]> {
  const preds = new Map<string, string[]>(v1.nodes.map((n) => [n.id, []]));
  for (const edge of v1.edges) preds.get(edge.target)?.push(edge.source);
  return preds;
}

/** The V1 type table entry of every node; throws listing every node whose type is unknown. */
export function v1TypesOf(v1: WorkflowV1): Map<string, V1NodeType> {
  const unknown = v1.nodes.filter((n) => !Object.hasOwn(V1_NODE_TYPES, n.type));
  if (unknown.length > 0) throw new UnknownV1NodeTypesError(unknown.map((n) => ({ nodeId: n.id, type: n.type })));
  return new Map(v1.nodes.map((n) => [n.id, V1_NODE_TYPES[n.type] as V1NodeType]));
}

/**
 * Converts a V1 workflow (one implicit context) into V2 JSON (explicit ports): each context key a
 * node reads becomes a mapping from the nearest upstream node that writes that key.
 *
 * @example
 * const v2 = upgradeV1Workflow(bot.legacy_workflow);
 * validateWorkflow(v2, registry).ok; // true for start → knowledge-retrieval → llm → end
 */
export function upgradeV1Workflow(json: unknown): WorkflowV2Json {
  const v1 = workflowV1Schema.parse(json);
  const types = v1TypesOf(v1);
  const preds = predecessorsOf(v1);

  // Breadth-first walk upstream for the nearest writer of `key`.
  const writerOf = (nodeId: string, key: string): { node: string; port: string } | undefined => {
    const queue = [...(preds.get(nodeId) ?? [])];
    const seen = new Set<string>();
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      const write = types.get(id)?.writes.find((w) => w.key === key);
      if (write) return { node: id, port: write.port };
      queue.push(...(preds.get(id) ?? []));
    }
    return undefined;
  };

  return {
    schema_version: 2,
    nodes: v1.nodes.map((node) => {
      const type = types.get(node.id) as V1NodeType;
      const variable_mappings: MappingJson[] = [];
      for (const read of type.reads) {
        const writer = writerOf(node.id, read.key);
        if (writer) variable_mappings.push({ target_port: read.port, selector: [writer.node, writer.port] });
      }
      return { id: node.id, type: type.v2Type, config: type.config(node.data), variable_mappings };
    }),
    edges: v1.edges.map((edge) => ({ source: edge.source, target: edge.target })),
  };
}
