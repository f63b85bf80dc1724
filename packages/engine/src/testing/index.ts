/**
 * Test helpers for workflows: stub node types with the real nodes' ports, and an in-memory recorder.
 * @module
 */
export { MemoryRunRecorder } from "./memory-run-recorder.ts";
export { type RagWorkflowOptions, ragWorkflow, ragWorkflowV1 } from "./rag-workflow.ts";
export { createTestRegistry, SleepNode, StubKnowledgeNode, StubLlmNode } from "./stub-nodes.ts";
