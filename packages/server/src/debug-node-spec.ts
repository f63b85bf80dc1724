/**
 * The spec of a single-node debug run: one node of the bot's draft, run alone with explicit input
 * values or with the values an earlier run recorded upstream of it. The HTTP route and
 * `portflow workflow debug-node` build it here.
 * @module
 */
import { isRetrievedDocumentArray, type ValueSelector, VariablePool, valueMatchesPortType } from "@portflow/engine";
import type { Storage } from "@portflow/storage";
import { AppError } from "./app-error.ts";
import { readsNode, undebuggableReason } from "./debug-node-workflow.ts";
import { isReusable, RunService } from "./run-service.ts";
import { parseRunSpec, type RunSpec } from "./run-spec.ts";
import type { RunTarget } from "./workflow-runner.ts";

/** What building a debug run reads. */
export interface DebugNodeDeps {
  readonly storage: Pick<Storage, "runs" | "runSpecs" | "workflowVersions">;
  readonly runService: RunService;
}

/** Where the node's inputs come from: explicit values by port, or a run's recorded upstream outputs. */
export type DebugNodeSource = { readonly inputs: Readonly<Record<string, unknown>> } | { readonly fromRun: string };

function invalid(path: string, message: string): AppError {
  return new AppError(400, "validation_error", `invalid request: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

/**
 * Builds (and checks) the spec: 404 for no draft or no such node (naming it), 409
 * `node_not_debuggable` for a start, container or body node, 400 naming the input for an unknown
 * port, a value of the wrong type or a required input left out, 404 for a `fromRun` of another bot
 * and 409 `inputs_not_recorded` when that run lacks an upstream output the node reads.
 * `inputsField` names the explicit inputs in errors (`body.inputs`, or a CLI option).
 */
export async function debugNodeSpec(
  deps: DebugNodeDeps,
  botId: string,
  nodeId: string,
  source: DebugNodeSource,
  inputsField = "body.inputs",
): Promise<RunSpec> {
  const draft = await deps.storage.workflowVersions.getDraft(botId);
  if (draft === undefined) throw AppError.notFound("draft");
  const target: RunTarget = {
    kind: draft.schemaVersion === 2 ? "v2" : "v1",
    graph: draft.graph,
    workflowVersionId: draft.id,
    checksum: draft.checksum,
    cacheKey: `${draft.id}@${draft.checksum}`,
  };
  const compiled = deps.runService.runner.compile(target);
  const node = compiled.nodes.find((n) => n.id === nodeId);
  if (node === undefined) {
    const inBody = compiled.workflow.nodes.find((n) => n.id === nodeId);
    if (inBody?.parent_id !== undefined) {
      throw new AppError(409, "node_not_debuggable", `node "${nodeId}" runs inside container "${inBody.parent_id}"`, {
        node_id: nodeId,
      });
    }
    throw new AppError(404, "not_found", `node "${nodeId}" not found in the draft`, {
      resource: "node",
      node_id: nodeId,
    });
  }
  const refused = undebuggableReason(node);
  if (refused !== undefined) {
    throw new AppError(409, "node_not_debuggable", `node "${nodeId}" cannot run alone: ${refused}`, {
      node_id: nodeId,
    });
  }

  let inputs: Record<string, unknown>;
  let system: Record<string, unknown> = {};
  if ("inputs" in source) {
    inputs = { ...source.inputs };
    for (const [port, value] of Object.entries(inputs)) {
      const declared = node.ports.inputs.find((p) => p.name === port);
      if (declared === undefined) continue;
      const fits =
        valueMatchesPortType(value, declared.type) || (declared.type === "string" && isRetrievedDocumentArray(value));
      if (!fits) throw invalid(`${inputsField}.${port}`, `must be ${declared.type}`);
    }
    for (const port of node.ports.inputs) {
      const bound = node.bindings.some((b) => b.port === port.name && !readsNode(compiled, b));
      if (port.required && port.default === undefined && !(port.name in inputs) && !bound) {
        throw invalid(`${inputsField}.${port.name}`, `required input of node "${nodeId}" has no value`);
      }
    }
  } else {
    const run = await deps.storage.runs.get(botId, source.fromRun);
    if (run === undefined) throw AppError.notFound("workflow execution");
    const pool = new VariablePool();
    for (const record of await deps.storage.runSpecs.recordedNodes(run.id)) {
      if (isReusable(record)) pool.setNodeOutputs(record.nodeId, record.outputs);
    }
    inputs = {};
    for (const binding of node.bindings) {
      if (binding.kind === "value" || !readsNode(compiled, binding)) continue;
      const selector: ValueSelector =
        binding.kind === "wire" ? [compiled.nodes[binding.from]?.id ?? "", binding.fromPort] : binding.selector;
      if (!pool.hasNode(selector[0])) {
        throw new AppError(
          409,
          "inputs_not_recorded",
          `run ${run.id} has no complete recorded outputs of node "${selector[0]}", which input "${binding.port}" of node "${nodeId}" reads`,
          { run_id: run.id, node_id: selector[0], port: binding.port },
        );
      }
      const value = pool.tryGet(selector);
      if (value !== undefined) inputs[binding.port] = value;
    }
    const stored = await deps.storage.runSpecs.get(run.id);
    if (stored?.spec != null) system = { ...parseRunSpec(stored.spec).system };
  }
  const spec: RunSpec = {
    spec_version: 1,
    bot_id: botId,
    target: RunService.targetSpec(target),
    inputs: {},
    history: [],
    system,
    trigger: "debug",
    debug_node: { node_id: nodeId, inputs },
  };
  await checkInputPorts(deps, spec, inputsField);
  return spec;
}

const EXPLICIT_INPUT = /^nodes\[1\]\.variable_mappings\[(\d+)\]/;

/**
 * Validates the node alone as it will run; a problem with one of the explicit inputs (a port the
 * node does not read) is a 400 naming that input, others stay the 422 listing every problem.
 */
async function checkInputPorts(deps: DebugNodeDeps, spec: RunSpec, inputsField: string): Promise<void> {
  const ports = Object.keys(spec.debug_node?.inputs ?? {});
  try {
    deps.runService.runner.compile(await deps.runService.target(spec));
  } catch (error) {
    const problems = error instanceof AppError && error.code === "workflow_invalid" ? problemsOf(error) : [];
    for (const problem of problems) {
      const port = ports[Number(EXPLICIT_INPUT.exec(problem.path)?.[1] ?? Number.NaN)];
      if (port !== undefined) throw invalid(`${inputsField}.${port}`, problem.message);
    }
    throw error;
  }
}

function problemsOf(error: AppError): { path: string; message: string }[] {
  const problems = (error.details as { problems?: unknown } | undefined)?.problems;
  return Array.isArray(problems) ? (problems as { path: string; message: string }[]) : [];
}
