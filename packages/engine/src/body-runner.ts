/**
 * What a container node (iteration, loop) gets to run its body: one call per round.
 * @module
 */
import type { ValueSelector } from "./value-selector.ts";

/** One finished round of a container's body. */
export interface BodyRound {
  readonly status: "succeeded" | "failed" | "cancelled";
  readonly error?: { readonly message: string; readonly nodeId?: string; readonly code?: string };
  /** Reads a value the round produced (`[bodyNodeId, port, ...path]`), or anything it could see. */
  read(selector: ValueSelector): unknown;
}

/**
 * Runs a container's body once per `run` call, in a variable scope of its own: inside it, the
 * container's own id resolves to `vars` (`["loop", "count"]`, `["each", "item"]`), nodes upstream
 * of the container stay readable, and nothing the round writes leaks out. Rounds are recorded
 * with the container as `parentNodeId` and `index` as `iterationIndex`, share the run's step
 * limit, and stop when the container's attempt is aborted (cancellation or its timeout).
 */
export interface BodyRunner {
  run(round: { readonly index: number; readonly vars: Readonly<Record<string, unknown>> }): Promise<BodyRound>;
  /** Stops every round in flight (a parallel sibling failed); they end `cancelled`. */
  stop(reason: string): void;
}
