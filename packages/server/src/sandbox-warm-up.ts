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

/**
 * Which sandboxes a workflow graph needs: QuickJS for `code` in JavaScript and for
 * `template-transform`, Pyodide for `code` in Python (container bodies included: nodes are one flat list).
 */
export function sandboxesUsedBy(graph: unknown): SandboxWarmUp {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  const used = { quickjs: false, python: false };
  if (!Array.isArray(nodes)) return used;
  for (const node of nodes) {
    const n = node as { type?: unknown; config?: { language?: unknown } } | null;
    if (n?.type === "template-transform") used.quickjs = true;
    if (n?.type === "code") {
      if (n.config?.language === "python3") used.python = true;
      else used.quickjs = true;
    }
  }
  return used;
}

/** The sandboxes the bots' published workflows (what their chats run) need; reads bots a page at a time. */
async function publishedSandboxes(storage: Pick<Storage, "bots" | "workflowVersions">): Promise<SandboxWarmUp> {
  const used = { quickjs: false, python: false };
  for (let offset = 0; ; offset += BOT_PAGE) {
    const page = await storage.bots.list({ limit: BOT_PAGE, offset });
    for (const bot of page.items) {
      const found = await botWorkflowTarget(storage, bot);
      if (found?.target.kind !== "v2") continue;
      const needs = sandboxesUsedBy(found.target.graph);
      used.quickjs ||= needs.quickjs;
      used.python ||= needs.python;
      if (used.quickjs && used.python) return used;
    }
    if (page.items.length < BOT_PAGE) return used;
  }
}

/**
 * Loads the sandboxes at server start, so no request waits for them (Pyodide takes seconds).
 * `always`: QuickJS and Pyodide; `auto`: those some bot's published workflow uses (QuickJS for
 * JavaScript code and templates, Pyodide for Python; a workflow published later loads what it
 * needs on its first call); `never`: nothing, each loads on first use. Call it without awaiting
 * it on the start-up path.
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
  const used = await publishedSandboxes(storage);
  await Promise.all([
    used.quickjs ? sandboxes.quickjs.warmUp() : undefined,
    used.python ? sandboxes.python.warmUp() : undefined,
  ]);
  return used;
}
