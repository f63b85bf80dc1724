import { NodeRegistryV2, registerBuiltinNodes } from "@portflow/engine";
import { CodeNode } from "./nodes/code-node.ts";
import { KnowledgeNode } from "./nodes/knowledge-node.ts";
import { LlmNode } from "./nodes/llm-node.ts";
import { TemplateTransformNode } from "./nodes/template-transform-node.ts";
import { resolveSandboxLimits, type SandboxLimitOptions } from "./sandbox/sandbox-limits.ts";
import type { Sandboxes } from "./sandbox/sandboxes.ts";

/** Options of {@link createNodeRegistry}. */
export interface NodeRegistryOptions {
  /**
   * Limits of the `code` and `template-transform` nodes: defaults 5,000 ms and 64 MiB per call,
   * maxima 30,000 ms and 256 MiB (a node's `limits` above a maximum fails validation).
   */
  readonly sandbox?: SandboxLimitOptions;
  /** Where those nodes run; default: this process's shared sandboxes (one Pyodide per process). */
  readonly sandboxes?: Sandboxes;
}

/**
 * A registry with every built-in node type: the engine's control-flow nodes (`start`, `end`,
 * `if-else`, `template`, `variable-aggregator`, `list-operator`, `iteration`, `loop`, see
 * `registerBuiltinNodes`), `knowledge`, `llm`, and the sandboxed `code` and `template-transform`.
 * Providers and the vector store are not part of it: they reach the nodes through the run's
 * ServiceContainer.
 *
 * @example
 * const executor = new WorkflowExecutorV2(createNodeRegistry({ sandbox: { maxima: { time_ms: 10_000 } } }), { services });
 */
export function createNodeRegistry(options: NodeRegistryOptions = {}): NodeRegistryV2 {
  const limits = resolveSandboxLimits(options.sandbox);
  const sandboxed = { limits, ...(options.sandboxes ? { sandboxes: options.sandboxes } : {}) };
  return registerBuiltinNodes(new NodeRegistryV2())
    .register(new KnowledgeNode())
    .register(new LlmNode())
    .register(new CodeNode(sandboxed))
    .register(new TemplateTransformNode(sandboxed));
}
