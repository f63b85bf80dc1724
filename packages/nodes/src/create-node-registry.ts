import { NodeRegistryV2, registerBuiltinNodes } from "@portflow/engine";
import { HttpRequestNode } from "./http/http-request-node.ts";
import type { NodeRegistryOptions } from "./node-registry-options.ts";
import { KnowledgeNode } from "./nodes/knowledge-node.ts";
import { LlmNode } from "./nodes/llm-node.ts";
import { ParameterExtractorNode } from "./nodes/parameter-extractor-node.ts";
import { QuestionClassifierNode } from "./nodes/question-classifier-node.ts";

/**
 * A registry with every built-in node type: the engine's control-flow nodes (`start`, `end`,
 * `if-else`, `template`, `variable-aggregator`, `list-operator`, `iteration`, `loop`, see
 * `registerBuiltinNodes`), `knowledge`, `llm`, `http-request`, `question-classifier` and `parameter-extractor`. Providers and the vector store
 * are not part of it: they reach the nodes through the run's ServiceContainer. `options` carries
 * the nodes' limits (see {@link NodeRegistryOptions} for the defaults).
 *
 * @example
 * const executor = new WorkflowExecutorV2(createNodeRegistry({ http: { allow: ["127.0.0.1"] } }), { services });
 */
export function createNodeRegistry(options: NodeRegistryOptions = {}): NodeRegistryV2 {
  return registerBuiltinNodes(new NodeRegistryV2())
    .register(new KnowledgeNode())
    .register(new LlmNode())
    .register(new HttpRequestNode(options.http))
    .register(new QuestionClassifierNode())
    .register(new ParameterExtractorNode());
}
