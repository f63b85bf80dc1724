import type { RunResult } from "@portflow/engine";
import { formatTokens } from "./format-tokens.ts";
import { nodeStatusLabel } from "./node-status-label.ts";
import { roundLabel } from "./round-label.ts";
import { formatTable } from "./text-table.ts";

/** A run's node executions as a table (node, round, type, status with the branch taken and how a failure was handled, ms, tokens, error): what `run` and `workflow run` print. */
export function nodeTimeline(result: RunResult): string {
  return formatTable(
    [
      { header: "node" },
      { header: "round" },
      { header: "type" },
      { header: "status" },
      { header: "ms", align: "right" },
      { header: "tokens", align: "right" },
      { header: "error" },
    ],
    result.nodes.map((n) => [
      n.nodeId,
      roundLabel(n.parentNodeId, n.iterationIndex),
      n.nodeType,
      nodeStatusLabel(n),
      n.elapsedMs.toFixed(1),
      formatTokens(n.tokens),
      n.error?.message,
    ]),
  );
}
