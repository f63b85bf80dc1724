import type { AnswerSlotPlan } from "./answer-stream.ts";
import type { AnyNode } from "./base-node.ts";
import { DirectedGraph } from "./directed-graph.ts";
import type { NodeRegistryV2 } from "./node-registry.ts";
import type { NodePortSchema, PortDefinition } from "./port-definition.ts";
import { validateWorkflow, type WorkflowValidation } from "./validate-workflow.ts";
import type { ValueSelector } from "./value-selector.ts";
import { WorkflowValidationError } from "./workflow-problem.ts";
import {
  DEFAULT_NODE_TIMEOUT_MS,
  DEFAULT_RETRY,
  type ErrorStrategy,
  type RetryPolicy,
  type WorkflowNodeV2,
  type WorkflowV2,
} from "./workflow-schema.ts";

/** Where one input port gets its value, in precedence order: wire, mapping, default. */
export type InputBinding =
  | { readonly port: string; readonly kind: "wire"; readonly from: number; readonly fromPort: string }
  | { readonly port: string; readonly kind: "selector"; readonly selector: ValueSelector }
  | { readonly port: string; readonly kind: "value"; readonly value: unknown };

/** An edge into a node; `branch` is set when it leaves a branch port of its source. */
export interface CompiledEdge {
  readonly source: number;
  readonly target: number;
  readonly branch?: string;
}

export interface CompiledNode {
  readonly index: number;
  readonly id: string;
  readonly type: string;
  readonly spec: WorkflowNodeV2;
  readonly node: AnyNode;
  readonly config: unknown;
  readonly ports: NodePortSchema;
  readonly bindings: readonly InputBinding[];
  /** Declared inputs without a binding: their defaults, and whether they are required. */
  readonly unbound: readonly PortDefinition[];
  /** End nodes take `null` for a mapped value whose source was skipped (other nodes: absent). */
  readonly nullForMissing: boolean;
  /** `["env", …]` selectors among the bindings: a missing env value fails the node, never blanks. */
  readonly envSelectors: readonly ValueSelector[];
  readonly incoming: readonly CompiledEdge[];
  readonly outgoing: readonly CompiledEdge[];
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly errorStrategy: ErrorStrategy;
  /** Container types (iteration, loop): the nodes whose `parent_id` is this node. */
  readonly body?: CompiledGraph;
}

/** One level of a workflow: its top level, or the body of a container. Indices are local. */
export interface CompiledGraph {
  /** Answer nodes (and containers holding some) of this level, in graph order: how answers stream. */
  readonly answerSlots: readonly AnswerSlotPlan[];
  /** Whether this level or a body in it has `answer` nodes: the run's `outputs.answer` joins them. */
  readonly hasAnswers: boolean;
  readonly nodes: readonly CompiledNode[];
  /** The node that receives the run's inputs (`start`); -1 in a body. */
  readonly start: number;
  /** Indices of the end nodes: the run's outputs are those of the ends that ran. */
  readonly ends: readonly number[];
}

/** A validated workflow in the shape the executor walks. Built once per workflow object. */
export interface CompiledWorkflow extends CompiledGraph {
  readonly workflow: WorkflowV2;
}

const cache = new WeakMap<object, WeakMap<NodeRegistryV2, CompiledWorkflow>>();
/** Every workflow `compileWorkflow` produced: only these skip validation in the executor. */
const compiledWorkflows = new WeakSet<CompiledWorkflow>();

/** Whether `value` came out of `compileWorkflow` (something merely shaped like one does not count). */
export function isCompiledWorkflow(value: unknown): value is CompiledWorkflow {
  return typeof value === "object" && value !== null && compiledWorkflows.has(value as CompiledWorkflow);
}

/**
 * Validates and compiles workflow JSON; throws WorkflowValidationError with every problem.
 * The result is cached per (JSON object, registry), so running the same object again is free.
 */
export function compileWorkflow(json: unknown, registry: NodeRegistryV2): CompiledWorkflow {
  const byRegistry = typeof json === "object" && json !== null ? cache.get(json) : undefined;
  const hit = byRegistry?.get(registry);
  if (hit) return hit;
  const validation = validateWorkflow(json, registry);
  if (validation.schemaVersion === 1) {
    throw new WorkflowValidationError([
      {
        path: "schema_version",
        code: "invalid_json",
        message: "this is a V1 workflow: run it through NodeAdapter, or convert it with upgradeV1Workflow",
      },
      ...validation.problems,
    ]);
  }
  if (!validation.ok || !validation.workflow) throw new WorkflowValidationError(validation.problems);
  const workflow = validation.workflow;
  const top = compileGraph(workflow, validation, undefined);
  const compiled: CompiledWorkflow = Object.freeze({ workflow, ...top });
  compiledWorkflows.add(compiled);
  if (typeof json === "object" && json !== null) {
    const map = byRegistry ?? new WeakMap<NodeRegistryV2, CompiledWorkflow>();
    map.set(registry, compiled);
    if (!byRegistry) cache.set(json, map);
  }
  return compiled;
}

/** Compiles the nodes whose `parent_id` is `parent` (the top level when undefined), bodies included. */
function compileGraph(workflow: WorkflowV2, validation: WorkflowValidation, parent: string | undefined): CompiledGraph {
  const specs = workflow.nodes.filter((n) => n.parent_id === parent);
  const index = new Map(specs.map((n, i) => [n.id, i]));
  const at = (id: string) => index.get(id) as number;

  const incoming: CompiledEdge[][] = specs.map(() => []);
  const outgoing: CompiledEdge[][] = specs.map(() => []);
  const wires: Map<string, { from: number; fromPort: string }>[] = specs.map(() => new Map());
  for (const edge of workflow.edges) {
    // Validation guarantees edges never cross a container boundary.
    if (!index.has(edge.source) || !index.has(edge.target)) continue;
    const source = at(edge.source);
    const target = at(edge.target);
    const sourcePorts = validation.resolved.get(edge.source)?.ports;
    const isBranch = edge.source_port !== undefined && (sourcePorts?.branches?.includes(edge.source_port) ?? false);
    const compiled: CompiledEdge = isBranch ? { source, target, branch: edge.source_port } : { source, target };
    incoming[target]?.push(compiled);
    outgoing[source]?.push(compiled);
    if (edge.source_port !== undefined && edge.target_port !== undefined) {
      wires[target]?.set(edge.target_port, { from: source, fromPort: edge.source_port });
    }
  }

  const nodes = specs.map((spec, i): CompiledNode => {
    const { node, config, ports } = validation.resolved.get(spec.id)!;
    const bindings: InputBinding[] = [];
    const bound = new Set<string>();
    for (const [port, wire] of wires[i] ?? []) {
      bindings.push({ port, kind: "wire", ...wire });
      bound.add(port);
    }
    for (const mapping of spec.variable_mappings) {
      if (bound.has(mapping.target_port)) continue;
      bound.add(mapping.target_port);
      bindings.push(
        "selector" in mapping
          ? { port: mapping.target_port, kind: "selector", selector: mapping.selector }
          : { port: mapping.target_port, kind: "value", value: mapping.value },
      );
    }
    return Object.freeze({
      index: i,
      id: spec.id,
      type: spec.type,
      spec,
      node,
      config,
      ports,
      bindings,
      unbound: ports.inputs.filter((p) => !bound.has(p.name)),
      nullForMissing: spec.type === "end",
      envSelectors: bindings.flatMap((b) => (b.kind === "selector" && b.selector[0] === "env" ? [b.selector] : [])),
      incoming: incoming[i] ?? [],
      outgoing: outgoing[i] ?? [],
      timeoutMs: spec.timeout_ms ?? DEFAULT_NODE_TIMEOUT_MS,
      retry: spec.retry ?? DEFAULT_RETRY,
      errorStrategy: spec.error_strategy,
      ...(node.container !== undefined && { body: compileGraph(workflow, validation, spec.id) }),
    });
  });

  const hasAnswers = nodes.some((n) => n.type === "answer" || n.body?.hasAnswers === true);
  return Object.freeze({
    nodes,
    start: parent === undefined ? specs.findIndex((n) => n.type === "start") : -1,
    ends: specs.flatMap((n, i) => (n.type === "end" ? [i] : [])),
    answerSlots: hasAnswers ? answerSlots(nodes) : [],
    hasAnswers,
  });
}

const TEMPLATE_VARIABLE = /\{\{\s*([^{}\s]+)\s*\}\}/g;

/** The level's answers and answer-holding containers in topological order, with stream sources. */
function answerSlots(nodes: readonly CompiledNode[]): AnswerSlotPlan[] {
  const graph = new DirectedGraph(nodes.length);
  for (const node of nodes) for (const edge of node.outgoing) graph.addEdge(edge.source, edge.target);
  const order = graph.stableTopologicalOrder() ?? nodes.map((n) => n.index);
  const slots: AnswerSlotPlan[] = [];
  for (const index of order) {
    const node = nodes[index] as CompiledNode;
    if (node.body?.hasAnswers) slots.push({ nodeId: node.id });
    if (node.type !== "answer") continue;
    const stream = streamSource(node, nodes);
    slots.push(stream === undefined ? { nodeId: node.id } : { nodeId: node.id, stream });
  }
  return slots;
}

/** The first `{{port}}` of an answer's template fed by a streaming node's streamed output. */
function streamSource(answer: CompiledNode, nodes: readonly CompiledNode[]): AnswerSlotPlan["stream"] {
  const template = (answer.config as { answer?: unknown }).answer;
  if (typeof template !== "string") return undefined;
  for (const match of template.matchAll(TEMPLATE_VARIABLE)) {
    const binding = answer.bindings.find((b) => b.port === match[1]);
    let source: CompiledNode | undefined;
    if (binding?.kind === "wire") {
      source = nodes[binding.from];
      if (source?.node.streamsTo !== binding.fromPort) source = undefined;
    } else if (binding?.kind === "selector" && binding.selector.length === 2) {
      source = nodes.find((n) => n.id === binding.selector[0] && n.node.streamsTo === binding.selector[1]);
    }
    if (source !== undefined) return { sourceId: source.id, prefix: template.slice(0, match.index) };
  }
  return undefined;
}
