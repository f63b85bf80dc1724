/**
 * @portflow/dify — imports Dify DSL files (YAML exports of workflow and chatflow apps) as
 * Portflow V2 workflows, with every problem located by YAML path and a report of what was
 * mapped, approximated and dropped.
 * @module
 */

export type { ImportDifyOptions } from "./import-context.ts";
export { PENDING_NODE_TYPES } from "./import-context.ts";
export { type DifyImport, type ImportedWorkflow, importDifyDsl } from "./import-dify-dsl.ts";
export type { ImportProblem, ImportProblemCode } from "./import-problem.ts";
export type { ConversationVariable, ImportReport, ModelMapping, ReportItem, ReportStatus } from "./import-report.ts";
export { type ModelMap, modelMapSchema, type PortflowModel } from "./model-map.ts";
