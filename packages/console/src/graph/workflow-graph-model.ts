/** A workflow's graph as the console draws it, read from V2 (or V1) workflow JSON. */
export interface GraphNode {
  readonly id: string;
  readonly type: string;
  /** the index in the JSON's `nodes` array (validation paths use it) */
  readonly index: number;
  /** the container (iteration/loop) whose body holds this node */
  readonly parentId: string | null;
  readonly title: string | null;
}

export interface GraphEdge {
  readonly id: string;
  readonly index: number;
  readonly source: string;
  readonly target: string;
  /** a branch port (if/else and the like) or `port → port` of a wire */
  readonly label: string | null;
}

export interface GraphModel {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/**
 * Reads whatever nodes and edges `graph` has, tolerating a half-edited draft: entries without an
 * id are named by their index, so every problem still has a node to sit on.
 */
export function workflowGraphModel(graph: unknown): GraphModel {
  const json = isRecord(graph) ? graph : {};
  const rawNodes = Array.isArray(json.nodes) ? json.nodes : [];
  const nodes = rawNodes.map((raw, index): GraphNode => {
    const node = isRecord(raw) ? raw : {};
    const data = isRecord(node.data) ? node.data : {};
    return {
      id: text(node.id) ?? `nodes[${index}]`,
      type: text(node.type) ?? "?",
      index,
      parentId: text(node.parent_id),
      title: text(node.title) ?? text(data.title),
    };
  });
  const rawEdges = Array.isArray(json.edges) ? json.edges : [];
  const edges = rawEdges.flatMap((raw, index): GraphEdge[] => {
    if (!isRecord(raw)) return [];
    const source = text(raw.source);
    const target = text(raw.target);
    if (source === null || target === null) return [];
    const sourcePort = text(raw.source_port) ?? text(raw.sourceHandle);
    const targetPort = text(raw.target_port);
    const label = sourcePort !== null && targetPort !== null ? `${sourcePort} → ${targetPort}` : sourcePort;
    return [{ id: `edges[${index}]`, index, source, target, label }];
  });
  return { nodes, edges };
}
