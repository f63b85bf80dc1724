/**
 * @portflow/engine — port-based workflow graphs: ports, selectors, the variable pool, services,
 * node types, validation and the executor. Pure: no I/O.
 * @module
 */

export { abortableDelay, RunAbortedError } from "./abort-error.ts";
export type { AnyNode, ConversationAccess, NodeContext, NodeRunResult } from "./base-node.ts";
export { BaseNodeV2 } from "./base-node.ts";
export { BM25_B, BM25_K1, BM25_MAX_TERM_FREQUENCY, bm25TermScore } from "./bm25.ts";
export type { BodyRound, BodyRunner } from "./body-runner.ts";
export { type AnswerConfig, AnswerNode } from "./builtin/answer-node.ts";
export { type AssignerConfig, AssignerNode } from "./builtin/assigner-node.ts";
export { BodyStartNode } from "./builtin/body-start-node.ts";
export { registerBuiltinNodes } from "./builtin/builtin-nodes.ts";
export { type EndConfig, EndNode } from "./builtin/end-node.ts";
export { type IfElseConfig, IfElseNode } from "./builtin/if-else-node.ts";
export { type IterationConfig, IterationNode } from "./builtin/iteration-node.ts";
export { type ListOperatorConfig, ListOperatorNode } from "./builtin/list-operator-node.ts";
export { type LoopConfig, LoopNode } from "./builtin/loop-node.ts";
export { InvalidRunInputError, type StartConfig, StartNode } from "./builtin/start-node.ts";
export { type TemplateConfig, TemplateNode } from "./builtin/template-node.ts";
export { type VariableAggregatorConfig, VariableAggregatorNode } from "./builtin/variable-aggregator-node.ts";
export { type CompiledWorkflow, compileWorkflow, isCompiledWorkflow } from "./compiled-workflow.ts";
export { CONDITION_OPERATORS, type ConditionOperator, compareCondition } from "./conditions.ts";
export { didYouMean } from "./did-you-mean.ts";
export { type DepthViolation, findDepthViolation } from "./json-depth.ts";
export { keywordQueryTerms, keywordTokens, lightStem } from "./keyword-tokens.ts";
export { NodeRegistryV2, type NodeTypeDescription } from "./node-registry.ts";
export type { InputRead, NodePortSchema, PortDefinition, PortType, TemplateUse } from "./port-definition.ts";
export {
  isPortCompatible,
  PORT_TYPES,
  portDefinitionSchema,
  portTypeSchema,
  valueMatchesPortType,
} from "./port-definition.ts";
export {
  formatContext,
  isRetrievedDocumentArray,
  type RetrievedDocument,
  sourceLabel,
} from "./retrieved-document.ts";
export { RUN_EVENT_NAMES, type RunEvent, type RunEventMap, type RunEventName } from "./run-events.ts";
export { RunHandle } from "./run-handle.ts";
export type {
  CompletedNode,
  NodeRunRecord,
  RecordingError,
  ResumePoint,
  RunResult,
  RunStatus,
  RunTotals,
} from "./run-result.ts";
export {
  MissingServiceError,
  ServiceContainer,
  type ServiceResolver,
  Services,
  ServiceToken,
} from "./service-container.ts";
export type {
  CallOptions,
  ChatMessage,
  ChatModel,
  ChatOptions,
  ChatRequest,
  ChatResponse,
  ChunkRecord,
  Clock,
  Embedder,
  EmbeddingResult,
  KeywordSearchOptions,
  LogFields,
  Logger,
  NodeExecutionRecord,
  NodeExecutionStatus,
  RecorderWrite,
  Reranker,
  RerankRequest,
  RerankResult,
  RetrievedChunk,
  RunFinishRecord,
  RunRecorder,
  RunStartRecord,
  StructuredOutputRequest,
  TokenUsage,
  VectorSearchOptions,
  VectorStore,
} from "./services.ts";
export { templatePlaceholders, templateUsesIn } from "./template-uses.ts";
export { NodeAdapter } from "./v1/node-adapter.ts";
export { upgradeV1Workflow } from "./v1/upgrade-v1-workflow.ts";
export { convertV1Prompt, UnknownV1NodeTypesError, V1_NODE_TYPES } from "./v1/v1-node-types.ts";
export {
  MAX_WORKFLOW_DEPTH,
  MAX_WORKFLOW_EDGES,
  MAX_WORKFLOW_NODES,
  type ResolvedNode,
  type ValidateWorkflowOptions,
  validateWorkflow,
  type WorkflowValidation,
} from "./validate-workflow.ts";
export type { SystemVariableName, ValueSelector, VariableMapping } from "./value-selector.ts";
export { formatSelector, SYSTEM_VARIABLES, valueSelectorSchema, variableMappingSchema } from "./value-selector.ts";
export {
  MissingVariableError,
  type SystemVariables,
  VariablePool,
  type VariablePoolSnapshot,
} from "./variable-pool.ts";
export {
  DEFAULT_LIMITS,
  type ExecutorLimits,
  type ExecutorOptions,
  type RunOptions,
  WorkflowExecutorV2,
} from "./workflow-executor.ts";
export {
  formatJsonPath,
  type WorkflowProblem,
  type WorkflowProblemCode,
  WorkflowValidationError,
} from "./workflow-problem.ts";
export {
  DEFAULT_NODE_TIMEOUT_MS,
  DEFAULT_RETRY,
  ERROR_STRATEGIES,
  type ErrorStrategy,
  isWorkflowV2Json,
  type RetryPolicy,
  type WorkflowEdgeV2,
  type WorkflowNodeV2,
  type WorkflowV1,
  type WorkflowV1Json,
  type WorkflowV2,
  type WorkflowV2Json,
  workflowV1Schema,
  workflowV2Schema,
} from "./workflow-schema.ts";
