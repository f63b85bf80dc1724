import {
  EndNode,
  IfElseNode,
  ListOperatorNode,
  NodeRegistryV2,
  StartNode,
  TemplateNode,
  VariableAggregatorNode,
} from "@portflow/engine";
import { KnowledgeNode } from "./nodes/knowledge-node.ts";
import { LlmNode } from "./nodes/llm-node.ts";

/**
 * A registry with every built-in node type: `start`, `end`, `if-else`, `template`,
 * `variable-aggregator`, `list-operator` (from the engine), `knowledge` and `llm`. Providers and the vector store are not part of it: they reach
 * the nodes through the run's ServiceContainer.
 *
 * @example
 * const executor = new WorkflowExecutorV2(createNodeRegistry(), { services });
 */
export function createNodeRegistry(): NodeRegistryV2 {
  return new NodeRegistryV2()
    .register(new StartNode())
    .register(new EndNode())
    .register(new IfElseNode())
    .register(new TemplateNode())
    .register(new VariableAggregatorNode())
    .register(new ListOperatorNode())
    .register(new KnowledgeNode())
    .register(new LlmNode());
}
