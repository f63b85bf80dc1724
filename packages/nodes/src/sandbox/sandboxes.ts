import { PythonSandbox } from "./python-sandbox.ts";
import { QuickJsSandbox } from "./quickjs-sandbox.ts";

/** Where the `code` and `template-transform` nodes run untrusted code. */
export interface Sandboxes {
  /** JavaScript and Jinja templates, in QuickJS. */
  readonly quickjs: QuickJsSandbox;
  /** Python, in Pyodide. */
  readonly python: PythonSandbox;
}

let shared: Sandboxes | undefined;

/**
 * This process's sandboxes, created on first use and shared by every registry: one Pyodide
 * interpreter per process, loaded once.
 */
export function sharedSandboxes(): Sandboxes {
  shared ??= { quickjs: new QuickJsSandbox(), python: new PythonSandbox() };
  return shared;
}

/**
 * Starts the shared sandboxes now (Pyodide takes seconds to load), so that the first workflow
 * using them does not wait. Call it at server start, without awaiting it on the request path.
 *
 * @example
 * void warmUpSandboxes().catch((error) => logger.warn("sandbox warm-up failed", { error: String(error) }));
 */
export async function warmUpSandboxes(sandboxes: Sandboxes = sharedSandboxes()): Promise<void> {
  await Promise.all([sandboxes.quickjs.warmUp(), sandboxes.python.warmUp()]);
}
