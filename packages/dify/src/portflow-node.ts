import { difyNodePolicySchema, parseAt } from "./dify-dsl-schema.ts";
import type { DifyNode, PortflowNode } from "./dify-node.ts";
import type { ImportContext } from "./import-context.ts";
import type { NodeInputs } from "./node-inputs.ts";

/** Dify default-value keys that Portflow names differently, by Dify node type. */
const DEFAULT_KEY_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "knowledge-retrieval": { result: "documents" },
};

/**
 * The Portflow node standing for a Dify node: same id, title and editor position, its parent
 * container, and the node's retry and error policies (`retry_config`, `error_strategy`,
 * `default_value`).
 */
export function portflowNode(
  node: DifyNode,
  type: string,
  config: Record<string, unknown>,
  inputs: NodeInputs | undefined,
  ctx: ImportContext,
): PortflowNode {
  const policy = parseAt(difyNodePolicySchema, node.data, [...node.path, "data"], ctx);
  const out: PortflowNode = {
    id: node.id,
    type,
    ...(node.title !== "" && { title: node.title }),
    ...(node.parentId !== undefined && { parent_id: node.parentId }),
    config,
    variable_mappings: (inputs?.mappings ?? []).map((m) =>
      "selector" in m
        ? { target_port: m.target_port, selector: [...m.selector] }
        : { target_port: m.target_port, value: m.value },
    ),
    ...(node.position !== undefined && { position: { x: node.position.x, y: node.position.y } }),
  };
  const retry = policy?.retry_config;
  if (retry?.retry_enabled === true && (retry.max_retries ?? 0) > 0) {
    out.retry = {
      max_attempts: (retry.max_retries ?? 0) + 1,
      initial_delay_ms: Math.round(retry.retry_interval ?? 500),
      backoff: 1,
    };
  }
  if (policy?.error_strategy === "fail-branch") out.error_strategy = "fail-branch";
  if (policy?.error_strategy === "default-value") {
    out.error_strategy = "default-value";
    const renames = DEFAULT_KEY_RENAMES[node.type] ?? {};
    out.default_outputs = Object.fromEntries(
      (policy.default_value ?? []).map((d) => [renames[d.key] ?? d.key, d.value]),
    );
  }
  return out;
}

/** Dify variable types (`array[string]`, `file`, …) as Portflow port types. */
export function portTypeOf(
  difyType: string | undefined,
): "string" | "number" | "boolean" | "object" | "array" | "file" | "any" {
  if (difyType === undefined) return "any";
  if (difyType.startsWith("array")) return "array";
  switch (difyType) {
    case "string":
    case "text-input":
    case "paragraph":
    case "select":
    case "secret":
      return "string";
    case "number":
    case "integer":
    case "float":
      return "number";
    case "boolean":
    case "bool":
    case "checkbox":
      return "boolean";
    case "object":
    case "json_object":
      return "object";
    case "file":
      return "file";
    case "file-list":
      return "array";
    default:
      return "any";
  }
}
