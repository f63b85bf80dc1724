import { type Sandboxes, warmUpSandboxes } from "@portflow/nodes";
import type { Storage } from "@portflow/storage";
import { botWorkflowTarget } from "./bot-workflow-target.ts";
import type { SandboxWarmMode } from "./config.ts";

/** What {@link warmUpSandboxesAtStart} loaded. */
export interface SandboxWarmUp {
  readonly quickjs: boolean;
  readonly python: boolean;
}

const BOT_PAGE = 100;

/** Whether a workflow graph has a `code` node in Python (container bodies included: nodes are one flat list). */
export function usesPython(graph: unknown): boolean {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return false;
  return nodes.some((node) => {
    const n = node as { type?: unknown; config?: { language?: unknown } } | null;
    return n?.type === "code" && n.config?.language === "python3";
  });
}

/** Whether any bot's published workflow (what its chats run) has Python code; reads bots a page at a time. */
async function anyPublishedPython(storage: Pick<Storage, "bots" | "workflowVersions">): Promise<boolean> {
  for (let offset = 0; ; offset += BOT_PAGE) {
    const page = await storage.bots.list({ limit: BOT_PAGE, offset });
    for (const bot of page.items) {
      const found = await botWorkflowTarget(storage, bot);
      if (found?.target.kind === "v2" && usesPython(found.target.graph)) return true;
    }
    if (page.items.length < BOT_PAGE) return false;
  }
}

/**
 * Loads the sandboxes at server start, so no request waits for them (Pyodide takes seconds).
 * `always`: QuickJS and Pyodide; `auto`: QuickJS, and Pyodide only when a published workflow has
 * Python code (one that is published later loads it on its first call); `never`: nothing, each
 * loads on first use. Call it without awaiting it on the start-up path.
 *
 * @example
 * void warmUpSandboxesAtStart(config.sandbox.warm, runtime.sandboxes, storage).catch((err) => log.warn({ err }));
 */
export async function warmUpSandboxesAtStart(
  mode: SandboxWarmMode,
  sandboxes: Sandboxes,
  storage: Pick<Storage, "bots" | "workflowVersions">,
): Promise<SandboxWarmUp> {
  if (mode === "never") return { quickjs: false, python: false };
  if (mode === "always") {
    await warmUpSandboxes(sandboxes);
    return { quickjs: true, python: true };
  }
  const [python] = await Promise.all([anyPublishedPython(storage), sandboxes.quickjs.warmUp()]);
  if (python) await sandboxes.python.warmUp();
  return { quickjs: true, python };
}
