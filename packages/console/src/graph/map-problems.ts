import type { Problem } from "../api/api-types.ts";
import type { GraphModel } from "./workflow-graph-model.ts";

/** Validation problems, grouped by what they concern. */
export interface MappedProblems {
  /** by node id */
  readonly byNode: ReadonlyMap<string, readonly Problem[]>;
  /** by edge id (`edges[i]`) */
  readonly byEdge: ReadonlyMap<string, readonly Problem[]>;
  /** about the whole workflow (no node or edge in the path) */
  readonly general: readonly Problem[];
}

const NODE_PATH = /^nodes\[(\d+)\]/;
const EDGE_PATH = /^edges\[(\d+)\]/;

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/**
 * Maps the API's problem paths (`nodes[2].config.top_k`, `edges[0].target`) to the node or edge
 * of `model` at that index. A path whose index is past the graph's end is general.
 */
export function mapProblems(problems: readonly Problem[], model: GraphModel): MappedProblems {
  const byNode = new Map<string, Problem[]>();
  const byEdge = new Map<string, Problem[]>();
  const general: Problem[] = [];
  const path = (p: Problem) => p.path.replace(/^(?:body\.)?graph\./, "");
  for (const problem of problems) {
    const nodeMatch = NODE_PATH.exec(path(problem));
    const node = nodeMatch === null ? undefined : model.nodes[Number(nodeMatch[1])];
    if (node !== undefined) {
      push(byNode, node.id, problem);
      continue;
    }
    const edgeMatch = EDGE_PATH.exec(path(problem));
    const edge = edgeMatch === null ? undefined : model.edges.find((e) => e.index === Number(edgeMatch[1]));
    if (edge !== undefined) {
      push(byEdge, edge.id, problem);
      continue;
    }
    general.push(problem);
  }
  return { byNode, byEdge, general };
}
