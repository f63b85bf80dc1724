import { Graph, layout } from "@dagrejs/dagre";
import type { GraphModel, GraphNode } from "./workflow-graph-model.ts";

/** Where a node is drawn. Positions of body nodes are relative to their container. */
export interface LaidOutNode {
  readonly node: GraphNode;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** holds a body (iteration/loop container) */
  readonly container: boolean;
  /** the container it is drawn in (`null`: top level, also when its `parentId` names no node) */
  readonly parentId: string | null;
}

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 56;
/** room around a body inside its container; the top leaves space for the container's own label */
const PAD = 20;
const HEADER = 40;

/**
 * Lays a workflow out left to right with dagre. Container bodies (nodes whose `parentId` names
 * the container) are laid out first, on their own, and the container is sized to hold them, so
 * a body is drawn inside its container as the engine runs it (edges never cross a body's border).
 */
export function layoutGraph(model: GraphModel): LaidOutNode[] {
  const ids = new Set(model.nodes.map((n) => n.id));
  const childrenOf = new Map<string | null, GraphNode[]>();
  for (const node of model.nodes) {
    // a parent_id that names no node is drawn at the top level (validation reports it)
    const parent = node.parentId !== null && ids.has(node.parentId) && node.parentId !== node.id ? node.parentId : null;
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), node]);
  }
  const placed: LaidOutNode[] = [];
  const sizes = new Map<string, { width: number; height: number }>();
  const visiting = new Set<string>();

  const layOut = (parent: string | null): { width: number; height: number } => {
    const children = childrenOf.get(parent) ?? [];
    for (const child of children) {
      if (childrenOf.has(child.id) && !visiting.has(child.id)) {
        visiting.add(child.id);
        const body = layOut(child.id);
        sizes.set(child.id, {
          width: Math.max(NODE_WIDTH, body.width + 2 * PAD),
          height: body.height + HEADER + PAD,
        });
      }
    }
    const g = new Graph();
    g.setGraph({ rankdir: "LR", nodesep: 30, ranksep: 60, marginx: 0, marginy: 0 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const child of children) {
      const size = sizes.get(child.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
      g.setNode(child.id, { width: size.width, height: size.height });
    }
    const inside = new Set(children.map((c) => c.id));
    for (const edge of model.edges) {
      if (inside.has(edge.source) && inside.has(edge.target) && edge.source !== edge.target) {
        g.setEdge(edge.source, edge.target);
      }
    }
    layout(g);
    let width = 0;
    let height = 0;
    for (const child of children) {
      const box = g.node(child.id);
      const size = sizes.get(child.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
      const offsetX = parent === null ? 0 : PAD;
      const offsetY = parent === null ? 0 : HEADER;
      const x = box.x - size.width / 2 + offsetX;
      const y = box.y - size.height / 2 + offsetY;
      placed.push({ node: child, x, y, ...size, container: sizes.has(child.id), parentId: parent });
      width = Math.max(width, x - offsetX + size.width);
      height = Math.max(height, y - offsetY + size.height);
    }
    return { width, height };
  };
  layOut(null);
  // React Flow wants a parent before its children
  const order = new Map(model.nodes.map((n, i) => [n.id, depth(n, model.nodes) * 1e6 + i]));
  return placed.sort((a, b) => (order.get(a.node.id) ?? 0) - (order.get(b.node.id) ?? 0));
}

function depth(node: GraphNode, nodes: readonly GraphNode[]): number {
  let d = 0;
  const seen = new Set<string>();
  for (let p = node.parentId; p !== null && !seen.has(p); d++) {
    seen.add(p);
    p = nodes.find((n) => n.id === p)?.parentId ?? null;
  }
  return d;
}
