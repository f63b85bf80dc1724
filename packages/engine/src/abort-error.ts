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

/** A delay that ends early (rejecting) when `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
