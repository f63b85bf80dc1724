import type { WorkflowV2Json } from "@portflow/engine";
import type { DifyNode, PortflowNode } from "./dify-node.ts";
import type { ImportContext } from "./import-context.ts";

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
