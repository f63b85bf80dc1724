import type { WorkflowV2Json } from "@portflow/engine";
import { difyEdgeSchema, parseAt } from "./dify-dsl-schema.ts";
import type { ImportContext } from "./import-context.ts";
import type { NodeMapping } from "./node-mapper.ts";

type Edge = NonNullable<WorkflowV2Json["edges"]>[number];

/**
 * Dify edges as Portflow edges: `sourceHandle` becomes the branch port (if-else case ids and
 * `false`, question-classifier class ids, `fail-branch` → `fail`), `source` a plain control
 * edge. Edges through removed nodes (absorbed assigners, loop-end) are bridged over.
 */
export function mapEdges(
  raw: readonly unknown[],
  mappings: ReadonlyMap<string, NodeMapping>,
  removed: ReadonlySet<string>,
  nodeIds: ReadonlySet<string>,
  ctx: ImportContext,
): Edge[] {
  let edges: Edge[] = [];
  raw.forEach((entry, i) => {
    const path = ["workflow", "graph", "edges", i];
    const edge = parseAt(difyEdgeSchema, entry, path, ctx);
    if (edge === undefined) return;
    for (const end of ["source", "target"] as const) {
      if (!ctx.difyNodes.has(edge[end])) {
        ctx.problem([...path, end], "dangling_edge", `edge ${end} "${edge[end]}" is not a node of this file`);
        return;
      }
    }
    const handle = edge.sourceHandle ?? "source";
    const branches = mappings.get(edge.source)?.branches;
    let port: string | undefined;
    if (handle === "fail-branch") port = "fail";
    else if (branches !== undefined && handle !== "source") {
      port = branches.get(handle);
      if (port === undefined) {
        ctx.problem(
          [...path, "sourceHandle"],
          "dangling_edge",
          `"${handle}" is no branch of node "${edge.source}" (its case or class was not imported)`,
        );
        return;
      }
    }
    edges.push({ source: edge.source, target: edge.target, ...(port !== undefined && { source_port: port }) });
  });
  // Bridge over removed nodes: a → removed → b becomes a → b.
  for (const gone of removed) {
    const into = edges.filter((e) => e.target === gone);
    const out = edges.filter((e) => e.source === gone);
    edges = edges.filter((e) => e.source !== gone && e.target !== gone);
    for (const a of into) for (const b of out) edges.push({ ...a, target: b.target });
  }
  for (const mapping of mappings.values()) edges.push(...(mapping.edges ?? []));
  // Edges of nodes that were not imported (refused, unusable) go with them; duplicates go.
  const seen = new Set<string>();
  return edges.filter((e) => {
    const key = `${e.source}\u0000${e.target}\u0000${e.source_port ?? ""}`;
    if (seen.has(key) || !nodeIds.has(e.source) || !nodeIds.has(e.target)) return false;
    seen.add(key);
    return true;
  });
}
