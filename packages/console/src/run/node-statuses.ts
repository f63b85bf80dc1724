import type { NodeExecution } from "../api/api-types.ts";

const RANK: Record<string, number> = { failed: 5, running: 4, retrying: 4, succeeded: 2, skipped: 1 };

/**
 * One status per node id for colouring the graph: a node that ran several times (iteration
 * rounds, retried records) shows its worst outcome, failed before running before succeeded
 * before skipped; a node with no execution has no entry (it never ran).
 */
export function nodeStatuses(executions: readonly NodeExecution[]): Map<string, string> {
  const statuses = new Map<string, string>();
  for (const e of executions) {
    const current = statuses.get(e.node_id);
    if (current === undefined || (RANK[e.status] ?? 3) > (RANK[current] ?? 3)) statuses.set(e.node_id, e.status);
  }
  return statuses;
}
