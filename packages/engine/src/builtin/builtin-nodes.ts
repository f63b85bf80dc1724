import type { NodeRegistryV2 } from "../node-registry.ts";
import { AnswerNode } from "./answer-node.ts";
import { AssignerNode } from "./assigner-node.ts";
import { BodyStartNode } from "./body-start-node.ts";
import { EndNode } from "./end-node.ts";
import { IfElseNode } from "./if-else-node.ts";
import { IterationNode } from "./iteration-node.ts";
import { ListOperatorNode } from "./list-operator-node.ts";
import { LoopNode } from "./loop-node.ts";
import { StartNode } from "./start-node.ts";
import { TemplateNode } from "./template-node.ts";
import { VariableAggregatorNode } from "./variable-aggregator-node.ts";

/**
 * Registers the engine's own node types — control flow and data shaping with no I/O: `start`,
 * `end`, `template`, `if-else`, `variable-aggregator`, `list-operator`, `iteration` (+
 * `iteration-start`), `loop` (+ `loop-start`), `assigner`, `answer`.
 *
 * @example
 * const registry = registerBuiltinNodes(new NodeRegistryV2()).register(new MyNode());
 */
export function registerBuiltinNodes(registry: NodeRegistryV2): NodeRegistryV2 {
  return registry
    .register(new StartNode())
    .register(new EndNode())
    .register(new TemplateNode())
    .register(new IfElseNode())
    .register(new VariableAggregatorNode())
    .register(new ListOperatorNode())
    .register(new IterationNode())
    .register(new BodyStartNode("iteration-start"))
    .register(new LoopNode())
    .register(new BodyStartNode("loop-start"))
    .register(new AssignerNode())
    .register(new AnswerNode());
}
