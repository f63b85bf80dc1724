import { NodeRegistryV2, registerBuiltinNodes } from "@portflow/engine";
import { KnowledgeNode } from "./nodes/knowledge-node.ts";
import { LlmNode } from "./nodes/llm-node.ts";

/**
 * A registry with every built-in node type: the engine's control-flow nodes (`start`, `end`,
 * `if-else`, `template`, `variable-aggregator`, `list-operator`, `iteration`, `loop`, see
 * `registerBuiltinNodes`), `knowledge` and `llm`. Providers and the vector store are not part of it: they reach
 * the nodes through the run's ServiceContainer.
 *
 * @example
 * const executor = new WorkflowExecutorV2(createNodeRegistry(), { services });
 */
export function createNodeRegistry(): NodeRegistryV2 {
  return registerBuiltinNodes(new NodeRegistryV2()).register(new KnowledgeNode()).register(new LlmNode());
}
