import type { PortType } from "@portflow/engine";
import type { PortflowModel } from "./model-map.ts";
/** How one part of the Dify file arrived in Portflow. */
export type ReportStatus = "mapped" | "approximated" | "dropped" | "unsupported";

/** One line of the report: a node, or a file-level part such as `features`. */
export interface ReportItem {
  /** YAML path of the part (`workflow.graph.nodes[3]`, `workflow.features`). */
  readonly path: string;
  /** What it was in Dify: `llm "Answer"`, `features`. */
  readonly dify: string;
  readonly status: ReportStatus;
  /** The Portflow node type it became. */
  readonly portflow_type?: string;
  /** Set when that Portflow node type does not exist yet: "mapped (needs node type X)". */
  readonly needs_node_type?: string;
  /** What differs from Dify, in plain words. */
  readonly notes: readonly string[];
}

/** A Dify model reference and what it became (`options.modelMap`). */
export interface ModelMapping {
  readonly path: string;
  readonly provider: string;
  readonly name: string;
  /** The Portflow model from the model map, or null: the server's configured provider and model. */
  readonly mapped_to: PortflowModel | null;
}

/** A Dify conversation variable: state kept per chat session. */
export interface ConversationVariable {
  readonly name: string;
  readonly type: PortType;
  readonly default: unknown;
  readonly description: string;
}

/** What the import did with every part of the file. */
export interface ImportReport {
  readonly app?: { readonly name: string; readonly mode: string; readonly dsl_version?: string };
  readonly items: readonly ReportItem[];
  readonly summary: Readonly<Record<ReportStatus, number>>;
  /** Plain environment variables, now the workflow's `env`. */
  readonly env: readonly string[];
  /** Secret environment variables (exported blank by Dify): set each as a bot secret. */
  readonly secrets: readonly string[];
  readonly conversation_variables: readonly ConversationVariable[];
  /** Whether they were written into the workflow (`options.emitConversationVariables`). */
  readonly conversation_variables_emitted: boolean;
  readonly models: readonly ModelMapping[];
  /** Portflow node types the workflow uses that do not exist yet. */
  readonly needs_node_types: readonly string[];
}
