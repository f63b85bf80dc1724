import { NodeRegistryV2, registerBuiltinNodes } from "@portflow/engine";
import { HttpRequestNode } from "./http/http-request-node.ts";
import type { NodeRegistryOptions } from "./node-registry-options.ts";
import { CodeNode } from "./nodes/code-node.ts";
import { DocumentExtractorNode } from "./nodes/document-extractor-node.ts";
import { KnowledgeNode } from "./nodes/knowledge-node.ts";
import { LlmNode } from "./nodes/llm-node.ts";
import { ParameterExtractorNode } from "./nodes/parameter-extractor-node.ts";
import { QuestionClassifierNode } from "./nodes/question-classifier-node.ts";
import { TemplateTransformNode } from "./nodes/template-transform-node.ts";
import { resolveSandboxLimits } from "./sandbox/sandbox-limits.ts";

export type { NodeRegistryOptions } from "./node-registry-options.ts";

/**
 * A registry with every built-in node type: the engine's control-flow nodes (`start`, `end`,
 * `answer`, `if-else`, `template`, `variable-aggregator`, `list-operator`, `iteration`, `loop`,
 * `assigner`, see `registerBuiltinNodes`), `knowledge`, `llm`, `http-request`,
 * `question-classifier`, `parameter-extractor`, `document-extractor`, and the sandboxed `code` and `template-transform`.
 * Providers and the vector store are not part of it: they reach the nodes through the run's
 * ServiceContainer. `options` carries the nodes' limits (see {@link NodeRegistryOptions}).
 *
 * @example
 * const executor = new WorkflowExecutorV2(createNodeRegistry({ http: { allow: ["127.0.0.1"] } }), { services });
 */
export function createNodeRegistry(options: NodeRegistryOptions = {}): NodeRegistryV2 {
  const limits = resolveSandboxLimits(options.sandbox);
  const sandboxed = { limits, ...(options.sandboxes ? { sandboxes: options.sandboxes } : {}) };
  const models = options.chatProviders ? { providers: options.chatProviders } : {};
  return registerBuiltinNodes(new NodeRegistryV2())
    .register(new KnowledgeNode())
    .register(new LlmNode(models))
    .register(new HttpRequestNode(options.http))
    .register(new QuestionClassifierNode(models))
    .register(new ParameterExtractorNode(models))
    .register(new DocumentExtractorNode(options.documents))
    .register(new CodeNode(sandboxed))
    .register(new TemplateTransformNode(sandboxed));
}
