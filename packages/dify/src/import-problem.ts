/** What can be wrong with a Dify file, by kind. */
export type ImportProblemCode =
  | "invalid_yaml"
  | "not_dify_app"
  | "unsupported_app_mode"
  | "missing_graph"
  | "invalid_dsl"
  | "unsupported_node"
  | "unknown_node_type"
  | "duplicate_id"
  | "dangling_edge"
  | "unknown_selector"
  | "unsupported_selector"
  | "unsupported_operator"
  | "unsupported_condition"
  | "unsupported_template"
  | "internal_error";

/**
 * One thing in a Dify file that could not be imported as written, located by its YAML path
 * (`workflow.graph.nodes[7].data.model.provider`). YAML syntax errors also carry line and column.
 */
export interface ImportProblem {
  readonly path: string;
  readonly code: ImportProblemCode;
  readonly message: string;
  /** 1-based, for `invalid_yaml`. */
  readonly line?: number;
  /** 1-based, for `invalid_yaml`. */
  readonly column?: number;
}
