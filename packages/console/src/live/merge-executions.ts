import type { NodeExecution } from "../api/api-types.ts";
import { executionKey } from "./live-run-state.ts";

/**
 * The recorded executions (as last loaded) with what the stream has shown since: a live entry
 * replaces the recorded one of the same node, container and round, and new ones are added.
 */
export function mergeExecutions(recorded: readonly NodeExecution[], live: readonly NodeExecution[]): NodeExecution[] {
  const liveKeys = new Set(live.map((e) => executionKey(e.node_id, e.parent_node_id, e.iteration_index)));
  return [
    ...recorded.filter((e) => !liveKeys.has(executionKey(e.node_id, e.parent_node_id, e.iteration_index))),
    ...live,
  ];
}
