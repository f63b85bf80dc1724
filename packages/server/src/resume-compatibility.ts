/**
 * Whether a run's recorded outputs can be reused on another workflow version: a resume onto
 * version N is sound only when every node whose output it reuses would have produced the same
 * output there.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { WorkflowEdgeV2, WorkflowNodeV2, WorkflowV2 } from "@portflow/engine";

/** Why a reused node's recorded output does not fit the other version. */
export type IncompatibilityReason = "missing" | "type changed" | "config changed" | "inputs changed";

/** The first reused node the other version would run differently. */
export interface ResumeIncompatibility {
  readonly nodeId: string;
  readonly reason: IncompatibilityReason;
  /** A plain sentence saying what differs. */
  readonly message: string;
}

/**
 * The first node of `reused` (in `from`'s topological order) that `to` lacks or would run
 * differently: another type; another config, error strategy, default outputs or container body;
 * other variable mappings or upstream edges (wires and control edges). Undefined when all fit.
 * Titles, positions, timeouts and retries do not matter: they do not change an output.
 *
 * @example
 * resumeIncompatibility(v1, v2, ["start", "retrieve"]) // { nodeId: "retrieve", reason: "config changed", … }
 */
export function resumeIncompatibility(
  from: WorkflowV2,
  to: WorkflowV2,
  reused: Iterable<string>,
): ResumeIncompatibility | undefined {
  const wanted = new Set(reused);
  const target = new Map(to.nodes.filter((n) => n.parent_id === undefined).map((n) => [n.id, n]));
  for (const before of topologicalOrder(from)) {
    if (!wanted.has(before.id)) continue;
    const after = target.get(before.id);
    const found = (reason: IncompatibilityReason, message: string) => ({ nodeId: before.id, reason, message });
    if (after === undefined) return found("missing", `node "${before.id}" is not in the other version`);
    if (after.type !== before.type) {
      return found("type changed", `node "${before.id}" is a ${after.type} node there, not ${before.type}`);
    }
    if (!isDeepStrictEqual(outputPolicy(before), outputPolicy(after))) {
      return found("config changed", `node "${before.id}" has another config (or error strategy) there`);
    }
    if (!isDeepStrictEqual(body(from, before.id), body(to, after.id))) {
      return found("config changed", `the body of container "${before.id}" differs there`);
    }
    if (!isDeepStrictEqual(mappings(before), mappings(after))) {
      return found("inputs changed", `node "${before.id}" maps its inputs differently there`);
    }
    if (!isDeepStrictEqual(upstream(from, before.id), upstream(to, after.id))) {
      return found("inputs changed", `node "${before.id}" has other upstream edges there`);
    }
  }
  return undefined;
}

/** What decides a node's output besides its inputs. */
function outputPolicy(node: WorkflowNodeV2) {
  return { config: node.config, error_strategy: node.error_strategy, default_outputs: node.default_outputs ?? null };
}

/** Variable mappings, in port order (their order in the JSON does not matter). */
function mappings(node: WorkflowNodeV2) {
  return [...node.variable_mappings].sort((a, b) => a.target_port.localeCompare(b.target_port));
}

const edgeKey = (e: WorkflowEdgeV2) => JSON.stringify([e.source, e.source_port ?? null, e.target_port ?? null]);

/** The edges into a node, as sorted keys. */
function upstream(workflow: WorkflowV2, nodeId: string): string[] {
  return workflow.edges
    .filter((e) => e.target === nodeId)
    .map(edgeKey)
    .sort();
}

/** A container's body (every node below it, and their edges), by id: what its output depends on too. */
function body(workflow: WorkflowV2, containerId: string) {
  const inside = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of workflow.nodes) {
      if (n.parent_id !== undefined && !inside.has(n.id) && (n.parent_id === containerId || inside.has(n.parent_id))) {
        inside.add(n.id);
        grew = true;
      }
    }
  }
  const nodes = workflow.nodes
    .filter((n) => inside.has(n.id))
    .map(({ title: _t, position: _p, timeout_ms: _m, retry: _r, ...rest }) => ({
      ...rest,
      variable_mappings: mappings(rest as WorkflowNodeV2),
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
  const edges = workflow.edges
    .filter((e) => inside.has(e.target))
    .map((e) => `${edgeKey(e)}>${e.target}`)
    .sort();
  return { nodes, edges };
}

/** Top-level nodes in topological order; ties keep their order in the JSON. */
function topologicalOrder(workflow: WorkflowV2): WorkflowNodeV2[] {
  const nodes = workflow.nodes.filter((n) => n.parent_id === undefined);
  const position = new Map(nodes.map((n, i) => [n.id, i]));
  const pending = nodes.map(() => 0);
  const next = nodes.map((): number[] => []);
  for (const e of workflow.edges) {
    const s = position.get(e.source);
    const t = position.get(e.target);
    if (s === undefined || t === undefined) continue;
    pending[t] = (pending[t] ?? 0) + 1;
    next[s]?.push(t);
  }
  const ready = nodes.flatMap((_, i) => (pending[i] === 0 ? [i] : []));
  const order: WorkflowNodeV2[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const i = ready.shift() as number;
    order.push(nodes[i] as WorkflowNodeV2);
    for (const t of next[i] ?? []) {
      pending[t] = (pending[t] ?? 0) - 1;
      if (pending[t] === 0) ready.push(t);
    }
  }
  return order;
}
