/**
 * The workflow a single-node debug run executes: the draft's node alone between a start and an
 * end that the run restores instead of running (see {@link debugNodeResume}), so the run records
 * exactly one node execution.
 * @module
 */
import type { CompiledWorkflow, ResumePoint, WorkflowV2Json } from "@portflow/engine";

type CompiledNode = CompiledWorkflow["nodes"][number];

const START_ID = "__debug_start__";
const END_ID = "__debug_end__";

/** Node types a debug run refuses: the start takes the run's inputs, containers run with their body. */
export function undebuggableReason(node: CompiledNode): string | undefined {
  if (node.type === "start") return "the start node only passes the run's inputs on: run the draft instead";
  if (node.body !== undefined) return "a container runs with its body: run the draft instead";
  return undefined;
}

/** Whether a binding reads another node's output (what a debug run replaces by a value). */
export function readsNode(compiled: CompiledWorkflow, binding: CompiledNode["bindings"][number]): boolean {
  if (binding.kind === "wire") return true;
  if (binding.kind === "value") return false;
  const [root] = binding.selector;
  return compiled.nodes.some((n) => n.id === root);
}

/**
 * `start → node → end` where the node's input ports take `inputs` as constant values; its
 * bindings that read no other node (sys, env, conversation, secret, constants) stay for the ports
 * `inputs` leaves out. The workflow's env and conversation variables come along.
 */
export function debugNodeWorkflow(
  compiled: CompiledWorkflow,
  nodeId: string,
  inputs: Readonly<Record<string, unknown>>,
): WorkflowV2Json {
  const node = compiled.nodes.find((n) => n.id === nodeId);
  if (node === undefined) throw new Error(`debugNodeWorkflow: no top-level node "${nodeId}"`);
  const { env, conversation_variables } = compiled.workflow;
  const kept = node.spec.variable_mappings.filter(
    (m) => !(m.target_port in inputs) && !node.bindings.some((b) => b.port === m.target_port && readsNode(compiled, b)),
  );
  const endsHere = node.type === "end" || node.type === "answer";
  return {
    schema_version: 2,
    ...(env !== undefined && { env: { ...env } }),
    ...(conversation_variables !== undefined && {
      conversation_variables: conversation_variables.map((v) => ({ ...v })),
    }),
    nodes: [
      { id: START_ID, type: "start", config: { inputs: [] } },
      {
        ...(node.spec as WorkflowV2Json["nodes"][number]),
        // alone, a failure has no fail branch to follow: it shows as the node's error
        error_strategy: node.spec.error_strategy === "fail-branch" ? "fail" : node.spec.error_strategy,
        variable_mappings: [
          ...Object.entries(inputs).map(([port, value]) => ({ target_port: port, value })),
          ...kept.map((m) => ("selector" in m ? { ...m, selector: [...m.selector] } : { ...m })),
        ],
      },
      ...(endsHere ? [] : [{ id: END_ID, type: "end" }]),
    ],
    edges: [{ source: START_ID, target: node.id }, ...(endsHere ? [] : [{ source: node.id, target: END_ID }])],
  };
}

/**
 * What a debug run restores instead of running: its start and its end, and what an earlier
 * attempt of the same run recorded (a run delivered again after its worker died).
 */
export function debugNodeResume(earlier: ResumePoint | undefined): ResumePoint {
  return {
    completed: [{ nodeId: START_ID, outputs: {} }, { nodeId: END_ID, outputs: {} }, ...(earlier?.completed ?? [])],
    stepOffset: earlier?.stepOffset ?? 0,
  };
}
