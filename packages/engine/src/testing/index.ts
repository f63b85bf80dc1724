/**
 * Test helpers for workflows: stub node types with the real nodes' ports, an in-memory recorder,
 * and the contract suite every `VectorStore` implementation runs.
 * @module
 */
export { MemoryRunRecorder } from "./memory-run-recorder.ts";
export { type RagWorkflowOptions, ragWorkflow, ragWorkflowV1 } from "./rag-workflow.ts";
export { type SingleNodeWorkflowOptions, singleNodeWorkflow } from "./single-node-workflow.ts";
export { createTestRegistry, SleepNode, StubKnowledgeNode, StubLlmNode } from "./stub-nodes.ts";
export {
  VECTOR_STORE_CONTRACT_DIMENSIONS,
  type VectorStoreHarness,
  vectorStoreContract,
} from "./vector-store-contract.ts";
