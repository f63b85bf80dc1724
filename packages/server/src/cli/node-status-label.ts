/** What the CLI's node tables show in their status column. */
export interface NodeStatusParts {
  readonly status: string;
  readonly attempts: number;
  /** The branch port the node took (if-else case, `fail`). */
  readonly branch?: string | null | undefined;
  /** How its failure was handled. */
  readonly handledBy?: "fail-branch" | "default-value" | null | undefined;
}

/**
 * A node's status with what it did beyond it, as the console shows it: the branch taken and how a
 * failure was handled, e.g. `succeeded → greeting`, `failed (fail branch)`, `failed (default value, 3 attempts)`.
 */
export function nodeStatusLabel(node: NodeStatusParts): string {
  const { status, attempts, branch, handledBy } = node;
  const taken = branch != null && !(branch === "fail" && handledBy === "fail-branch") ? ` → ${branch}` : "";
  const notes = [
    ...(handledBy != null ? [handledBy === "fail-branch" ? "fail branch" : "default value"] : []),
    ...(attempts > 1 ? [`${attempts} attempts`] : []),
  ];
  return `${status}${taken}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}
