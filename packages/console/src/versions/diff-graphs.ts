import { stableJson } from "./stable-json.ts";

/** What happened to a node or edge between the left and the right version. */
export type ChangeKind = "added" | "removed" | "changed";

export interface NodeChange {
  readonly id: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** For `changed`: the node's top-level fields that differ (`config`, `variable_mappings`, …). */
  readonly fields: readonly string[];
}

export interface EdgeChange {
  /** `source[.port] → target[.port]` */
  readonly key: string;
  readonly kind: "added" | "removed";
}

export interface GraphDiff {
  /** In the right version's node order, removed nodes after. */
  readonly nodes: readonly NodeChange[];
  readonly edges: readonly EdgeChange[];
  /** Node id → change, for colouring each side's graph (unchanged nodes absent). */
  readonly left: ReadonlyMap<string, ChangeKind>;
  readonly right: ReadonlyMap<string, ChangeKind>;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function list(graph: unknown, key: "nodes" | "edges"): Json[] {
  const items = isRecord(graph) ? graph[key] : undefined;
  return Array.isArray(items) ? items.filter(isRecord) : [];
}

/** Nodes by id; one without an id is keyed by its index, as the graph view names it. */
function nodesById(graph: unknown): Map<string, Json> {
  return new Map(list(graph, "nodes").map((node, i) => [typeof node.id === "string" ? node.id : `nodes[${i}]`, node]));
}

function edgeKey(edge: Json): string {
  const end = (id: unknown, port: unknown) => `${String(id)}${typeof port === "string" ? `.${port}` : ""}`;
  return `${end(edge.source, edge.source_port)} → ${end(edge.target, edge.target_port)}`;
}

/**
 * Compares two workflow graphs node by node (by id) and edge by edge. Key order inside a node
 * does not count as a change; editor metadata does (it is part of the stored JSON).
 */
export function diffGraphs(leftGraph: unknown, rightGraph: unknown): GraphDiff {
  const left = nodesById(leftGraph);
  const right = nodesById(rightGraph);
  const nodes: NodeChange[] = [];
  for (const [id, node] of right) {
    const before = left.get(id);
    const type = String(node.type ?? "?");
    if (before === undefined) {
      nodes.push({ id, type, kind: "added", fields: [] });
      continue;
    }
    const fields = [...new Set([...Object.keys(before), ...Object.keys(node)])]
      .filter((field) => stableJson(before[field]) !== stableJson(node[field]))
      .sort();
    if (fields.length > 0) nodes.push({ id, type, kind: "changed", fields });
  }
  for (const [id, node] of left) {
    if (!right.has(id)) nodes.push({ id, type: String(node.type ?? "?"), kind: "removed", fields: [] });
  }
  const leftEdges = new Set(list(leftGraph, "edges").map(edgeKey));
  const rightEdges = new Set(list(rightGraph, "edges").map(edgeKey));
  const edges: EdgeChange[] = [
    ...[...rightEdges].filter((k) => !leftEdges.has(k)).map((key) => ({ key, kind: "added" as const })),
    ...[...leftEdges].filter((k) => !rightEdges.has(k)).map((key) => ({ key, kind: "removed" as const })),
  ];
  return {
    nodes,
    edges,
    left: new Map(nodes.filter((n) => n.kind !== "added").map((n) => [n.id, n.kind])),
    right: new Map(nodes.filter((n) => n.kind !== "removed").map((n) => [n.id, n.kind])),
  };
}
