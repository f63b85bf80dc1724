import type { NodeMapper } from "./node-mapper.ts";
import { mapIfElse } from "./nodes/if-else-node.ts";
import { mapAnswer, mapEnd, mapStart } from "./nodes/io-nodes.ts";
import { mapIteration } from "./nodes/iteration-node.ts";
import { mapKnowledge } from "./nodes/knowledge-node.ts";
import { mapListOperator } from "./nodes/list-operator-node.ts";
import { mapLlm } from "./nodes/llm-node.ts";
import { mapLoop } from "./nodes/loop-node.ts";
import {
  mapAssigner,
  mapCode,
  mapDocumentExtractor,
  mapHttpRequest,
  mapParameterExtractor,
  mapQuestionClassifier,
  mapTemplateTransform,
} from "./nodes/pending-nodes.ts";
import { mapVariableAggregator } from "./nodes/variable-aggregator-node.ts";

/** A container's body start: nothing to configure. */
const bodyStart =
  (type: "iteration-start" | "loop-start"): NodeMapper =>
  (node, ctx) => {
    if (node.parentId === undefined) {
      ctx.problem(node.path, "invalid_dsl", `a ${type} node belongs inside its container (parentId)`);
    }
    const position = node.position && { position: { x: node.position.x, y: node.position.y } };
    const parent = node.parentId !== undefined && { parent_id: node.parentId };
    return { nodes: [{ id: node.id, type, ...parent, config: {}, ...position }], portflowType: type, notes: [] };
  };

/** Dify node type → its mapper. */
export const NODE_MAPPERS: Readonly<Record<string, NodeMapper>> = {
  start: mapStart,
  end: mapEnd,
  answer: mapAnswer,
  llm: mapLlm,
  "knowledge-retrieval": mapKnowledge,
  "if-else": mapIfElse,
  iteration: mapIteration,
  "iteration-start": bodyStart("iteration-start"),
  loop: mapLoop,
  "loop-start": bodyStart("loop-start"),
  "variable-aggregator": mapVariableAggregator,
  "variable-assigner": mapVariableAggregator,
  "list-operator": mapListOperator,
  "template-transform": mapTemplateTransform,
  code: mapCode,
  "http-request": mapHttpRequest,
  "document-extractor": mapDocumentExtractor,
  "question-classifier": mapQuestionClassifier,
  "parameter-extractor": mapParameterExtractor,
  assigner: mapAssigner,
};
