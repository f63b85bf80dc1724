/** How a run the console started came about: resumed from, or rerun of, another run. */
export interface RunOrigin {
  readonly kind: "resume" | "rerun";
  readonly fromRunId: string;
  readonly fromNode?: string;
}

// The run detail records which run a resume continued (`resumed_from`), not the node it started
// from nor which run a rerun repeated: the console keeps those for the tab (sessionStorage, never
// anything secret) to link the two runs.
const STORAGE_KEY = "portflow.run-origins";

function readAll(): Record<string, RunOrigin> {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "{}");
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, RunOrigin>) : {};
  } catch {
    return {};
  }
}

/** Remembers for this tab that `runId` was started from another run. */
export function rememberRunOrigin(runId: string, origin: RunOrigin): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ ...readAll(), [runId]: origin }));
  } catch {
    // storage full or refused: the link is a convenience
  }
}

/** Where `runId` came from, when this tab started it by resume or rerun. */
export function runOrigin(runId: string): RunOrigin | undefined {
  return readAll()[runId];
}
