import { type PortDefinition, valueMatchesPortType } from "@portflow/engine";
import { SandboxError } from "../sandbox/sandbox-error.ts";

function kindOf(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/**
 * Checks what user code returned against the node's declared outputs: each must be present and
 * of its declared type. Keys that were not declared are dropped (and named in `undeclared`).
 */
export function checkDeclaredOutputs(
  result: Record<string, unknown>,
  declared: readonly PortDefinition[],
): { outputs: Record<string, unknown>; undeclared: string[] } {
  const outputs: Record<string, unknown> = {};
  for (const port of declared) {
    if (!Object.hasOwn(result, port.name)) {
      throw new SandboxError("OUTPUT_INVALID", `output "${port.name}" is missing from the result of main()`);
    }
    const value = result[port.name];
    if (!valueMatchesPortType(value, port.type)) {
      throw new SandboxError("OUTPUT_INVALID", `output "${port.name}" must be ${port.type}, got ${kindOf(value)}`);
    }
    outputs[port.name] = value;
  }
  const names = new Set(declared.map((p) => p.name));
  return { outputs, undeclared: Object.keys(result).filter((k) => !names.has(k)) };
}
