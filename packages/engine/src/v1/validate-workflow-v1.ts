import { DirectedGraph } from "../directed-graph.ts";
import { formatJsonPath, problemsFromZod, type WorkflowProblem } from "../workflow-problem.ts";
import { type WorkflowV1, workflowV1Schema } from "../workflow-schema.ts";
import { V1_NODE_TYPES } from "./v1-node-types.ts";

/** Structural checks of a V1 workflow: shape, known types, one start and end, edges, cycles. */
export function validateWorkflowV1(json: unknown): { problems: WorkflowProblem[]; v1?: WorkflowV1 } {
  const parsed = workflowV1Schema.safeParse(json);
  if (!parsed.success) return { problems: problemsFromZod(parsed.error, [], "invalid_json") };
  const v1 = parsed.data;
  const problems: WorkflowProblem[] = [];
  const add = (path: PropertyKey[], code: WorkflowProblem["code"], message: string) =>
    problems.push({ path: formatJsonPath(path), code, message });
  const indexById = new Map<string, number>();
  v1.nodes.forEach((node, i) => {
    if (indexById.has(node.id)) add(["nodes", i, "id"], "duplicate_id", `node id "${node.id}" is used twice`);
    else indexById.set(node.id, i);
    if (!Object.hasOwn(V1_NODE_TYPES, node.type)) {
      add(
        ["nodes", i, "type"],
        "unknown_node_type",
        `V1 node type "${node.type}" has no V2 equivalent (known: ${Object.keys(V1_NODE_TYPES).join(", ")})`,
      );
    }
  });
  for (const type of ["start", "end"] as const) {
    const count = v1.nodes.filter((n) => n.type === type).length;
    if (count !== 1) add(["nodes"], `${type}_count`, `a workflow needs exactly one ${type} node, found ${count}`);
  }
  const graph = new DirectedGraph(v1.nodes.length);
  v1.edges.forEach((edge, e) => {
    for (const end of ["source", "target"] as const) {
      if (!indexById.has(edge[end]))
        add(["edges", e, end], "dangling_edge", `edge ${end} "${edge[end]}" is not a node`);
    }
    const source = indexById.get(edge.source);
    const target = indexById.get(edge.target);
    if (source !== undefined && target !== undefined) graph.addEdge(source, target);
  });
  for (const cycle of graph.findCycles())
    add(["edges"], "cycle", `nodes ${cycle.map((i) => v1.nodes[i]?.id).join(" → ")} form a cycle`);
  return { problems, v1 };
}
