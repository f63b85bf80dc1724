import { SandboxError } from "../sandbox/sandbox-error.ts";

/** The node's inputs as JSON, the only form in which they enter a sandbox. */
export function sandboxInputsJson(inputs: Readonly<Record<string, unknown>>): string {
  try {
    return JSON.stringify(inputs);
  } catch (error) {
    throw new SandboxError("CODE_ERROR", `the inputs cannot be passed to the sandbox as JSON: ${String(error)}`);
  }
}
