import { setTimeout as sleep } from "node:timers/promises";

/** Why a node or run was stopped from outside: cancellation, a timeout, or a sibling's failure. */
export class RunAbortedError extends Error {
  override readonly name = "RunAbortedError";
  constructor(
    message: string,
    readonly code: "CANCELLED" | "NODE_TIMEOUT" | "RUN_TIMEOUT" | "RUN_FAILED",
  ) {
    super(message);
  }
}

/**
 * A delay that ends early (rejecting with `signal.reason`) when `signal` aborts.
 * @deprecated Node's `setTimeout` from `node:timers/promises` with `{ signal }` does this; kept for callers.
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => {
    throw signal.reason;
  });
}
