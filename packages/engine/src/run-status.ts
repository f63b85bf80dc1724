/** A run's status. `partial-succeeded`: it finished, but a node failure was handled by its error strategy. */
export type RunStatus = "running" | "succeeded" | "partial-succeeded" | "failed" | "cancelled";

/** A node execution's status. */
export type NodeExecutionStatus = "succeeded" | "failed" | "skipped" | "cancelled";
