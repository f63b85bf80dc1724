import type { WorkflowV2Json } from "@portflow/engine";
import type { ImportContext, YamlPath } from "./import-context.ts";

/** One Dify graph node, as the mappers see it. */
export interface DifyNode {
  readonly id: string;
  /** `data.type`: `llm`, `if-else`, … */
  readonly type: string;
  readonly title: string;
  readonly parentId?: string;
  readonly position?: { readonly x: number; readonly y: number };
  readonly data: Readonly<Record<string, unknown>>;
  /** YAML path of the node: `["workflow", "graph", "nodes", 3]`. */
  readonly path: YamlPath;
}

/** One node of the Portflow workflow being built. */
export type PortflowNode = WorkflowV2Json["nodes"][number];

/** What a Dify node became. */
export interface NodeMapping {
  /** The first node stands for the Dify node and keeps its id; more may follow (an answer's end). */
  readonly nodes: readonly PortflowNode[];
  readonly portflowType: string;
  /** What differs from Dify; any note makes the node "approximated" in the report. */
  readonly notes: readonly string[];
  /** Dify `sourceHandle` → Portflow branch port, for nodes whose edges leave by branch. */
  readonly branches?: ReadonlyMap<string, string>;
  /** Edges among the nodes it made (an answer's template → its end). */
  readonly edges?: readonly NonNullable<WorkflowV2Json["edges"]>[number][];
}

/** Maps one Dify node type; undefined when the node's data is unusable (problems say why). */
export type NodeMapper = (node: DifyNode, ctx: ImportContext) => NodeMapping | undefined;
