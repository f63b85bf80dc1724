/** Why a sandboxed call failed. */
export type SandboxErrorCode =
  /** The user's code or template raised, or did not compile. */
  | "CODE_ERROR"
  | "SANDBOX_TIMEOUT"
  | "SANDBOX_MEMORY"
  | "SANDBOX_CANCELLED"
  /** The sandbox itself stopped (it is replaced for later calls). */
  | "SANDBOX_CRASHED"
  /** The code returned something other than its declared outputs. */
  | "OUTPUT_INVALID";

/** A failed sandboxed call. The message is meant for the workflow author. */
export class SandboxError extends Error {
  override readonly name = "SandboxError";
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    /** The line of the user's code or template the error points at, when known. */
    readonly line?: number,
  ) {
    super(message);
  }
}
