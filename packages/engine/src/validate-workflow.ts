import type { AnyNode } from "./base-node.ts";
import { unknownNameHint } from "./did-you-mean.ts";
import { type AncestorSets, DirectedGraph } from "./directed-graph.ts";
import { inputReadProblems, inputsRead } from "./input-read-problems.ts";
import { findDepthViolation } from "./json-depth.ts";
import type { NodeRegistryV2 } from "./node-registry.ts";
import {
  CONVERSATION_OPERATION_TYPES,
  type ConversationWrite,
  isPortCompatible,
  type NodePortSchema,
  type PortDefinition,
  type PortType,
  valueMatchesPortType,
} from "./port-definition.ts";
import { validateWorkflowV1 } from "./v1/validate-workflow-v1.ts";
import { SYSTEM_VARIABLES } from "./value-selector.ts";
import { formatJsonPath, problemsFromZod, type WorkflowProblem } from "./workflow-problem.ts";
import { deepFreeze, isWorkflowV2Json, type WorkflowV2, workflowV2Schema } from "./workflow-schema.ts";

/** A node type resolved against its config: what validation learnt and the executor reuses. */
export interface ResolvedNode {
  readonly node: AnyNode;
  readonly config: unknown;
  readonly ports: NodePortSchema;
}

export interface WorkflowValidation {
  readonly ok: boolean;
  /** 2 for port-based JSON; 1 for a legacy workflow (run it through NodeAdapter or upgrade it). */
  readonly schemaVersion: 1 | 2;
  readonly problems: readonly WorkflowProblem[];
  /** The parsed, frozen workflow (present when the JSON is structurally a V2 workflow). */
  readonly workflow?: WorkflowV2;
  /** Per node id, when its type is known and its config valid. */
  readonly resolved: ReadonlyMap<string, ResolvedNode>;
}

export interface ValidateWorkflowOptions {
  /** Whether V1 JSON counts as valid (default true); workflow versions are V2 only. */
  readonly allowV1?: boolean;
}

const FAIL_BRANCH = "fail";

/** Nesting deeper than this anywhere in workflow JSON is refused before it is parsed. */
export const MAX_WORKFLOW_DEPTH = 64;
/** Graph size limits: validation and compilation stay linear-ish and memory-bounded under them. */
export const MAX_WORKFLOW_NODES = 5_000;
export const MAX_WORKFLOW_EDGES = 20_000;

/** Depth and size refusals, found before anything recursive or quadratic runs. */
function limitProblems(json: unknown): WorkflowProblem[] {
  const deep = findDepthViolation(json, MAX_WORKFLOW_DEPTH);
  if (deep !== undefined) {
    return [
      {
        path: formatJsonPath(deep.path),
        code: "too_deep",
        message: `JSON nests deeper than ${deep.limit} levels here; workflows are limited to ${deep.limit}`,
      },
    ];
  }
  const problems: WorkflowProblem[] = [];
  if (typeof json !== "object" || json === null) return problems;
  const { nodes, edges } = json as { nodes?: unknown; edges?: unknown };
  if (Array.isArray(nodes) && nodes.length > MAX_WORKFLOW_NODES) {
    problems.push({
      path: "nodes",
      code: "too_large",
      message: `a workflow may have at most ${MAX_WORKFLOW_NODES} nodes, found ${nodes.length}`,
    });
  }
  if (Array.isArray(edges) && edges.length > MAX_WORKFLOW_EDGES) {
    problems.push({
      path: "edges",
      code: "too_large",
      message: `a workflow may have at most ${MAX_WORKFLOW_EDGES} edges, found ${edges.length}`,
    });
  }
  return problems;
}

/**
 * Ports of a node as validation sees them: under `fail-branch`, the type's ports plus the `fail`
 * branch and an `error` output ({message, code}) that the fail branch's nodes can map.
 */
function effectivePorts(ports: NodePortSchema, errorStrategy: string): NodePortSchema {
  if (errorStrategy !== "fail-branch") return ports;
  return {
    ...ports,
    outputs: [...ports.outputs, { name: "error", type: "object" }],
    branches: [...(ports.branches ?? []), FAIL_BRANCH],
  };
}

/** Whether a node takes `name` as an input: declared, or dynamic and (when it says) read by its config. */
function acceptsInput(ports: NodePortSchema, name: string): boolean {
  if (ports.inputs.some((p) => p.name === name)) return true;
  if (!ports.dynamicInputs) return false;
  return inputsRead(ports)?.has(name) ?? true;
}

function unknownInputMessage(nodeId: string, ports: NodePortSchema, name: string): string {
  const known = new Set(ports.inputs.map((p) => p.name));
  for (const read of inputsRead(ports) ?? []) known.add(read);
  const reason = ports.dynamicInputs ? " (its config reads no such name)" : "";
  return `node "${nodeId}" has no input port "${name}"${reason}${unknownNameHint(name, [...known], "inputs")}`;
}

/**
 * JSON that is V2 in all but its `schema_version` (nodes with `config`, `variable_mappings` or
 * `error_strategy`, no V1 `data`): a problem saying so, rather than V1's "no V2 equivalent".
 */
function schemaVersionProblem(json: unknown): WorkflowProblem | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { nodes, schema_version: version } = json as { nodes?: unknown; schema_version?: unknown };
  const v2Keys = ["config", "variable_mappings", "error_strategy", "parent_id", "retry", "timeout_ms"];
  const looksV2 =
    Array.isArray(nodes) &&
    nodes.some((n) => typeof n === "object" && n !== null && !("data" in n) && v2Keys.some((key) => key in n));
  if (version !== undefined && version !== 1) {
    return {
      path: "schema_version",
      code: "invalid_json",
      message: `schema_version must be 2 (a number), got ${JSON.stringify(version)}; omit it only for V1 workflows`,
    };
  }
  if (!looksV2) return undefined;
  return {
    path: "schema_version",
    code: "invalid_json",
    message:
      'this workflow has V2 nodes (config, variable_mappings) but no schema_version: V2 needs "schema_version": 2',
  };
}

function sameNamesAndTypes(a: readonly PortDefinition[], b: readonly PortDefinition[]): boolean {
  const key = (ports: readonly PortDefinition[]) =>
    ports
      .map((p) => `${p.name}:${p.type}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

/**
 * Checks a workflow and reports every problem at once, each with a JSON path and a plain message.
 * V2 JSON (`schema_version: 2`) is checked against the registry; anything else is checked as a
 * V1 workflow. Never throws for bad input.
 *
 * @example
 * const { ok, problems } = validateWorkflow(json, registry);
 * for (const p of problems) console.log(`${p.path}: ${p.message}`);
 */
export function validateWorkflow(
  json: unknown,
  registry: NodeRegistryV2,
  options: ValidateWorkflowOptions = {},
): WorkflowValidation {
  const limits = limitProblems(json);
  if (limits.length > 0) {
    return { ok: false, schemaVersion: isWorkflowV2Json(json) ? 2 : 1, problems: limits, resolved: new Map() };
  }
  if (!isWorkflowV2Json(json)) {
    const missingVersion = schemaVersionProblem(json);
    if (missingVersion) return { ok: false, schemaVersion: 1, problems: [missingVersion], resolved: new Map() };
    const { problems } = validateWorkflowV1(json);
    if (options.allowV1 === false) {
      problems.unshift({
        path: "schema_version",
        code: "invalid_json",
        message:
          'expected a V2 workflow ("schema_version": 2); convert a V1 workflow with upgradeV1Workflow or `portflow migrate-v1`',
      });
    }
    return { ok: problems.length === 0, schemaVersion: 1, problems, resolved: new Map() };
  }
  const parsed = workflowV2Schema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      schemaVersion: 2,
      problems: problemsFromZod(parsed.error, [], "invalid_json", workflowV2Schema),
      resolved: new Map(),
    };
  }
  const workflow = deepFreeze(parsed.data as WorkflowV2);
  const problems: WorkflowProblem[] = [];
  const add = (path: readonly PropertyKey[], code: WorkflowProblem["code"], message: string) =>
    problems.push({ path: formatJsonPath(path), code, message });

  // Node ids, types and configs.
  const indexById = new Map<string, number>();
  const resolved = new Map<string, ResolvedNode>();
  workflow.nodes.forEach((spec, i) => {
    if (indexById.has(spec.id)) {
      add(
        ["nodes", i, "id"],
        "duplicate_id",
        `node id "${spec.id}" is already used by nodes[${indexById.get(spec.id)}]`,
      );
      return;
    }
    indexById.set(spec.id, i);
    const node = registry.get(spec.type);
    if (!node) {
      add(
        ["nodes", i, "type"],
        "unknown_node_type",
        `unknown node type "${spec.type}"${unknownNameHint(spec.type, registry.types(), "known types")}`,
      );
      return;
    }
    const config = node.configSchema.safeParse(spec.config);
    if (!config.success) {
      problems.push(...problemsFromZod(config.error, ["nodes", i, "config"], "invalid_config", node.configSchema));
      return;
    }
    const ports = effectivePorts(node.ports(config.data), spec.error_strategy);
    resolved.set(spec.id, { node, config: config.data, ports });
  });

  // Containers: every parent_id names a container type; bodies hold no start or end.
  const containers = containerChains(workflow, indexById, resolved, add);
  const topLevel = workflow.nodes.filter((n) => n.parent_id === undefined);
  const starts = topLevel.filter((n) => n.type === "start").length;
  const ends = topLevel.filter((n) => n.type === "end" || n.type === "answer").length;
  if (starts !== 1) add(["nodes"], "start_count", `a workflow needs exactly one start node, found ${starts}`);
  if (ends === 0) add(["nodes"], "end_count", "a workflow needs at least one end or answer node, found none");

  // Edges: endpoints, ports, types.
  const graph = new DirectedGraph(workflow.nodes.length);
  const wiredInputs = new Map<string, Set<string>>();
  workflow.edges.forEach((edge, e) => {
    let dangling = false;
    for (const end of ["source", "target"] as const) {
      if (!indexById.has(edge[end])) {
        add(["edges", e, end], "dangling_edge", `edge ${end} "${edge[end]}" is not a node of this workflow`);
        dangling = true;
      }
    }
    if (dangling) return;
    const sourceParent = workflow.nodes[indexById.get(edge.source) as number]?.parent_id;
    const targetParent = workflow.nodes[indexById.get(edge.target) as number]?.parent_id;
    if (sourceParent !== targetParent) {
      const where = (parent: string | undefined) =>
        parent === undefined ? "the top level" : `the body of "${parent}"`;
      add(
        ["edges", e],
        "crosses_container",
        `edge ${edge.source} → ${edge.target} crosses a container boundary (${where(sourceParent)} → ${where(targetParent)}): connect to the container node instead`,
      );
      return;
    }
    graph.addEdge(indexById.get(edge.source) as number, indexById.get(edge.target) as number);
    const source = resolved.get(edge.source);
    const target = resolved.get(edge.target);
    if (edge.target_port !== undefined && edge.source_port === undefined) {
      add(["edges", e, "source_port"], "unknown_port", "a wire with a target_port needs a source_port");
      return;
    }
    if (edge.source_port === undefined || !source) return;
    const isBranch = source.ports.branches?.includes(edge.source_port) ?? false;
    const output = source.ports.outputs.find((p) => p.name === edge.source_port);
    if (isBranch) {
      if (edge.target_port !== undefined) {
        add(["edges", e, "target_port"], "unknown_port", `branch port "${edge.source_port}" carries no value to wire`);
      }
      return;
    }
    if (!output) {
      add(
        ["edges", e, "source_port"],
        "unknown_port",
        `node "${edge.source}" has no output or branch port "${edge.source_port}"`,
      );
      return;
    }
    if (edge.target_port === undefined) {
      add(
        ["edges", e, "target_port"],
        "unknown_port",
        `"${edge.source_port}" is an output, not a branch port: a wire needs a target_port`,
      );
      return;
    }
    if (!target) return;
    const wired = wiredInputs.get(edge.target) ?? new Set<string>();
    if (wired.has(edge.target_port)) {
      add(
        ["edges", e, "target_port"],
        "unknown_port",
        `input "${edge.target_port}" of "${edge.target}" is wired twice`,
      );
    }
    wired.add(edge.target_port);
    wiredInputs.set(edge.target, wired);
    const input = target.ports.inputs.find((p) => p.name === edge.target_port);
    if (!input) {
      if (!acceptsInput(target.ports, edge.target_port)) {
        add(
          ["edges", e, "target_port"],
          "unknown_port",
          unknownInputMessage(edge.target, target.ports, edge.target_port),
        );
      }
      return;
    }
    if (!isPortCompatible(output.type, input.type)) {
      add(
        ["edges", e],
        "type_mismatch",
        `wire ${edge.source}.${edge.source_port} (${output.type}) cannot feed ${edge.target}.${edge.target_port} (${input.type})`,
      );
    }
  });

  // Cycles: loops are explicit node types, never back edges.
  const cycles = graph.findCycles();
  for (const cycle of cycles) {
    const members = new Set(cycle.map((i) => workflow.nodes[i]?.id));
    const e = workflow.edges.findIndex((edge) => members.has(edge.source) && members.has(edge.target));
    add(["edges", Math.max(e, 0)], "cycle", `nodes ${[...members].join(" → ")} form a cycle`);
  }
  const ancestors: AncestorSets | undefined = cycles.length === 0 ? graph.ancestors() : undefined;
  if (starts === 1 && ends > 0) {
    const reachable = graph.reachableFrom(workflow.nodes.findIndex((n) => n.type === "start"));
    if (!workflow.nodes.some((n, i) => (n.type === "end" || n.type === "answer") && reachable[i] === 1)) {
      add(["nodes"], "end_count", "no end or answer node is reachable from the start node");
    }
  }
  const declaredEnv = workflow.env;
  const conversationTypes = new Map((workflow.conversation_variables ?? []).map((v) => [v.name, v.type]));
  (workflow.conversation_variables ?? []).forEach((v, c) => {
    if ((workflow.conversation_variables ?? []).findIndex((o) => o.name === v.name) !== c) {
      add(["conversation_variables", c, "name"], "duplicate_id", `conversation variable "${v.name}" is declared twice`);
    }
  });

  // Per-node bindings: mappings, required inputs, stored ports, policies.
  workflow.nodes.forEach((spec, i) => {
    const own = resolved.get(spec.id);
    if (!own || indexById.get(spec.id) !== i) return;
    const mapped = new Set<string>();
    spec.variable_mappings.forEach((mapping, m) => {
      const at = ["nodes", i, "variable_mappings", m] as const;
      if (mapped.has(mapping.target_port)) {
        add([...at, "target_port"], "unknown_port", `input "${mapping.target_port}" is mapped twice`);
      }
      mapped.add(mapping.target_port);
      const input = own.ports.inputs.find((p) => p.name === mapping.target_port);
      if (!input && !acceptsInput(own.ports, mapping.target_port)) {
        add([...at, "target_port"], "unknown_port", unknownInputMessage(spec.id, own.ports, mapping.target_port));
      }
      if (!("selector" in mapping)) return;
      const [head, name] = mapping.selector;
      if (head === "env") {
        // A workflow that declares its env declares all of it: a name outside it is a typo.
        if (declaredEnv !== undefined && !Object.hasOwn(declaredEnv, name)) {
          add(
            [...at, "selector"],
            "unknown_env",
            `env "${name}" is not declared in the workflow's env (declared: ${Object.keys(declaredEnv).join(", ") || "none"})`,
          );
        }
        return;
      }
      if (head === "conversation") {
        const declared = conversationTypes.get(name);
        if (declared === undefined) {
          add(
            [...at, "selector"],
            "unknown_selector",
            `conversation variable "${name}" is not declared in conversation_variables (declared: ${[...conversationTypes.keys()].join(", ") || "none"})`,
          );
        } else if (input && mapping.selector.length === 2 && !isPortCompatible(declared, input.type)) {
          add(
            [...at, "selector"],
            "type_mismatch",
            `conversation.${name} (${declared}) cannot feed ${spec.id}.${mapping.target_port} (${input.type})`,
          );
        }
        return;
      }
      if (head === "sys") {
        if (!(SYSTEM_VARIABLES as readonly string[]).includes(name)) {
          add(
            [...at, "selector"],
            "unknown_selector",
            `unknown system variable "sys.${name}" (known: ${SYSTEM_VARIABLES.join(", ")})`,
          );
        }
        return;
      }
      if (!indexById.has(head)) {
        add([...at, "selector"], "unknown_selector", `selector points to unknown node "${head}"`);
        return;
      }
      const headIndex = indexById.get(head) as number;
      const chain = containers.get(spec.id) ?? [];
      const source = resolved.get(head);
      // Inside a body, a node reads its containers' round variables (`item`, `index`, loop variables)…
      if (chain.includes(head)) {
        if (!source) return;
        const variable = source.ports.bodyVariables?.find((p) => p.name === name);
        if (!variable) {
          const known = (source.ports.bodyVariables ?? []).map((p) => p.name).join(", ") || "nothing";
          add([...at, "selector"], "unknown_port", `container "${head}" gives its body ${known}, not "${name}"`);
        } else if (input && mapping.selector.length === 2 && !isPortCompatible(variable.type, input.type)) {
          add(
            [...at, "selector"],
            "type_mismatch",
            `${head}.${name} (${variable.type}) cannot feed ${spec.id}.${mapping.target_port} (${input.type})`,
          );
        }
        return;
      }
      // …and what is upstream of it in its own graph, or upstream of one of its containers.
      const upstream =
        !ancestors ||
        [i, ...chain.map((c) => indexById.get(c) as number)].some((from) => ancestors.has(from, headIndex));
      if (!upstream) {
        const headParent = workflow.nodes[headIndex]?.parent_id;
        const inForeignBody = headParent !== undefined && !chain.includes(headParent);
        add(
          [...at, "selector"],
          "selector_not_upstream",
          inForeignBody
            ? `selector points into the body of "${headParent}": read that container's outputs instead`
            : `selector points to "${head}", which is not upstream of "${spec.id}"`,
        );
        return;
      }
      if (!source) return;
      const output = source.ports.outputs.find((p) => p.name === name);
      if (!output) {
        add([...at, "selector"], "unknown_port", `node "${head}" has no output port "${name}"`);
        return;
      }
      if (input && mapping.selector.length === 2 && !isPortCompatible(output.type, input.type)) {
        add(
          [...at, "selector"],
          "type_mismatch",
          `${head}.${name} (${output.type}) cannot feed ${spec.id}.${mapping.target_port} (${input.type})`,
        );
      }
    });
    for (const write of own.ports.conversationWrites ?? []) {
      const problem = conversationWriteProblem(write, conversationTypes.get(write.variable), conversationTypes);
      if (problem !== undefined) add(["nodes", i, "config", ...write.path], "invalid_config", problem);
    }
    for (const { path, selector, type } of own.ports.bodySelectors ?? []) {
      const [head, name] = selector;
      const target = indexById.get(head);
      const at = `nodes[${i}].config.${path}`;
      if (target === undefined || workflow.nodes[target]?.parent_id !== spec.id) {
        problems.push({
          path: at,
          code: "selector_not_upstream",
          message: `"${head}" is not a node in the body of "${spec.id}"`,
        });
        continue;
      }
      const output = resolved.get(head)?.ports.outputs.find((p) => p.name === name);
      if (resolved.has(head) && !output) {
        problems.push({ path: at, code: "unknown_port", message: `node "${head}" has no output port "${name}"` });
      } else if (output && selector.length === 2 && !isPortCompatible(output.type, type)) {
        problems.push({
          path: at,
          code: "type_mismatch",
          message: `${head}.${name} (${output.type}) is not the declared ${type}`,
        });
      }
    }
    const wired = wiredInputs.get(spec.id);
    const bound = new Set([...own.ports.inputs.map((p) => p.name), ...mapped, ...(wired ?? [])]);
    const readScope = {
      nodeId: spec.id,
      bound: [...bound],
      env: declaredEnv,
      conversation: new Set(conversationTypes.keys()),
    };
    for (const problem of inputReadProblems(own.ports, readScope)) {
      add(["nodes", i, "config", ...problem.path], "unknown_variable", problem.message);
    }
    if (
      spec.error_strategy === "fail-branch" &&
      !workflow.edges.some((e) => e.source === spec.id && e.source_port === FAIL_BRANCH)
    ) {
      add(
        ["nodes", i, "error_strategy"],
        "invalid_policy",
        `error_strategy "fail-branch" needs an edge leaving "${spec.id}" by source_port "fail"; without one a failure ends the run with nothing`,
      );
    }
    for (const input of own.ports.inputs) {
      if (!input.required || input.default !== undefined) continue;
      if (mapped.has(input.name) || wired?.has(input.name)) continue;
      add(
        ["nodes", i, "variable_mappings"],
        "required_input_unbound",
        `required input "${input.name}" of "${spec.id}" is not bound: wire it, map it or give it a default`,
      );
    }
    if (spec.ports) {
      const inputsDisagree = !own.ports.dynamicInputs && !sameNamesAndTypes(spec.ports.inputs, own.ports.inputs);
      if (inputsDisagree || !sameNamesAndTypes(spec.ports.outputs, own.ports.outputs)) {
        add(
          ["nodes", i, "ports"],
          "ports_disagree",
          `stored ports differ from what type "${spec.type}" declares for this config`,
        );
      }
    }
    if (spec.error_strategy === "default-value") {
      if (!spec.default_outputs) {
        add(["nodes", i, "default_outputs"], "invalid_policy", 'error_strategy "default-value" needs default_outputs');
      } else {
        for (const key of Object.keys(spec.default_outputs)) {
          if (!own.ports.outputs.some((p) => p.name === key)) {
            add(["nodes", i, "default_outputs", key], "unknown_port", `node "${spec.id}" has no output port "${key}"`);
          }
        }
      }
    }
  });

  return { ok: problems.length === 0, schemaVersion: 2, problems, workflow, resolved };
}

/**
 * Each body node's containers, innermost first. Reports a parent_id that names no node or a
 * node that is no container, parent chains that loop, start/end nodes inside a body, and a body
 * start node (`iteration-start`…) outside its container type or given twice.
 */
function containerChains(
  workflow: WorkflowV2,
  indexById: ReadonlyMap<string, number>,
  resolved: ReadonlyMap<string, ResolvedNode>,
  add: (path: readonly PropertyKey[], code: WorkflowProblem["code"], message: string) => void,
): Map<string, string[]> {
  const chains = new Map<string, string[]>();
  const bodyStarts = new Map<string, number>();
  const startTypes = new Set(["iteration-start", "loop-start"]);
  for (const { node } of resolved.values()) if (node.container) startTypes.add(node.container.startType);
  workflow.nodes.forEach((spec, i) => {
    const own = resolved.get(spec.id);
    if (spec.parent_id === undefined) {
      if (own?.node.container === undefined && startTypes.has(spec.type)) {
        add(["nodes", i, "type"], "invalid_container", `"${spec.type}" belongs inside a container's body`);
      }
      return;
    }
    const parentIndex = indexById.get(spec.parent_id);
    const parent = resolved.get(spec.parent_id);
    if (parentIndex === undefined) {
      add(
        ["nodes", i, "parent_id"],
        "invalid_container",
        `parent_id "${spec.parent_id}" is not a node of this workflow`,
      );
      return;
    }
    if (parent !== undefined && parent.node.container === undefined) {
      add(
        ["nodes", i, "parent_id"],
        "invalid_container",
        `parent_id "${spec.parent_id}" is a "${workflow.nodes[parentIndex]?.type}" node, not a container (iteration or loop)`,
      );
      return;
    }
    if (spec.type === "start" || spec.type === "end") {
      add(["nodes", i, "type"], "invalid_container", `a "${spec.type}" node cannot be inside a container's body`);
    }
    const startType = parent?.node.container?.startType;
    if (startTypes.has(spec.type) && startType !== undefined) {
      if (spec.type !== startType) {
        add(["nodes", i, "type"], "invalid_container", `the body of "${spec.parent_id}" starts with "${startType}"`);
      } else if (bodyStarts.has(spec.parent_id)) {
        add(
          ["nodes", i, "type"],
          "invalid_container",
          `the body of "${spec.parent_id}" has more than one "${startType}"`,
        );
      }
      bodyStarts.set(spec.parent_id, i);
    }
    const chain: string[] = [];
    const seen = new Set<string>([spec.id]);
    for (let at: string | undefined = spec.parent_id; at !== undefined; ) {
      if (seen.has(at)) {
        add(["nodes", i, "parent_id"], "invalid_container", `parent_id chain of "${spec.id}" loops back on itself`);
        return;
      }
      seen.add(at);
      chain.push(at);
      at = workflow.nodes[indexById.get(at) as number]?.parent_id;
    }
    chains.set(spec.id, chain);
  });
  return chains;
}

/** Why a conversation write cannot work on the declared variable (undefined: it can). */
function conversationWriteProblem(
  write: ConversationWrite,
  type: PortType | undefined,
  declared: ReadonlyMap<string, PortType>,
): string | undefined {
  if (type === undefined) {
    return `conversation variable "${write.variable}" is not declared in conversation_variables (declared: ${[...declared.keys()].join(", ") || "none"})`;
  }
  const needs = CONVERSATION_OPERATION_TYPES[write.operation];
  if (needs !== undefined && !needs.includes(type)) {
    return `"${write.operation}" needs a ${needs.join(" or ")} variable; conversation.${write.variable} is ${type}`;
  }
  if (write.value !== undefined && write.operation === "set" && !valueMatchesPortType(write.value, type)) {
    return `the value set does not match conversation.${write.variable} (${type})`;
  }
  return undefined;
}
