import { ragWorkflow, ragWorkflowV1 } from "@portflow/engine/testing";
/** Workflow JSON for tests and the benchmark. */

/** start → knowledge → llm → end, answering with `answer` and `sources` (DESIGN.md's example). */
export const RAG_WORKFLOW_V2 = ragWorkflow({ contextFrom: "documents" });

/** The same bot as a V1 (legacy) workflow. */
export const RAG_WORKFLOW_V1 = ragWorkflowV1();
