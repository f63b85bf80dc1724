import type { HandledBy, NodeExecution } from "../api/api-types.ts";

const HANDLED_LABELS: Readonly<Record<HandledBy, string>> = {
  "fail-branch": "fail branch",
  "default-value": "default value",
};

/** How a failure was handled, in words: `fail branch`, `default value`. */
export function handledByLabel(handledBy: HandledBy): string {
  return HANDLED_LABELS[handledBy];
}

/**
 * Short tags for what a node execution did beyond its status, for the timeline: the branch it
 * took (`→ greeting`; not the fail branch, which its handling already names) and how its failure
 * was handled.
 */
export function outcomeLabels(execution: Pick<NodeExecution, "branch" | "handled_by">): string[] {
  const { branch, handled_by } = execution;
  return [
    ...(branch !== null && !(branch === "fail" && handled_by === "fail-branch") ? [`→ ${branch}`] : []),
    ...(handled_by !== null ? [handledByLabel(handled_by)] : []),
  ];
}
