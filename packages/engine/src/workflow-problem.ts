import type { z } from "zod";
import { unknownNameHint } from "./did-you-mean.ts";
import { objectKeysAt } from "./zod-object-keys.ts";

/** One thing wrong with a workflow, located by a JSON path such as `nodes[2].variable_mappings[0].selector`. */
export interface WorkflowProblem {
  readonly path: string;
  readonly message: string;
  readonly code: WorkflowProblemCode;
}

export type WorkflowProblemCode =
  | "invalid_json"
  | "unknown_node_type"
  | "duplicate_id"
  | "start_count"
  | "end_count"
  | "cycle"
  | "dangling_edge"
  | "unknown_port"
  | "type_mismatch"
  | "selector_not_upstream"
  | "unknown_selector"
  | "required_input_unbound"
  | "invalid_config"
  | "ports_disagree"
  | "invalid_policy"
  | "too_deep"
  | "too_large"
  | "unknown_env"
  | "crosses_container"
  | "invalid_container"
  /** A template placeholder or config read naming nothing the node has. */
  | "unknown_variable";

/** Thrown when an invalid workflow is handed to the executor; carries every problem. */
export class WorkflowValidationError extends Error {
  override readonly name = "WorkflowValidationError";
  constructor(readonly problems: readonly WorkflowProblem[]) {
    super(
      `workflow is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}): ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join("; ")}${problems.length > 5 ? "; …" : ""}`,
    );
  }
}

/** `["nodes", 2, "config", "top_k"]` → `nodes[2].config.top_k`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "$" : out;
}

/**
 * zod issues as problems under `prefix`. With `schema`, an unrecognized key becomes one problem per
 * key at that key's path, naming the keys the object accepts and the closest one.
 */
export function problemsFromZod(
  error: z.ZodError,
  prefix: readonly PropertyKey[],
  code: WorkflowProblemCode,
  schema?: z.ZodType,
): WorkflowProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      const known = schema ? objectKeysAt(schema, issue.path) : [];
      return issue.keys.map((key) => ({
        path: formatJsonPath([...prefix, ...issue.path, key]),
        message: `unknown key "${key}"${unknownNameHint(key, known, "known keys")}`,
        code,
      }));
    }
    return [{ path: formatJsonPath([...prefix, ...issue.path]), message: issue.message, code }];
  });
}
