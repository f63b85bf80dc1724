/**
 * What CLI commands work with, opened from the server configuration the same way `startServer`
 * opens it: providers, the database (PGlite under `PORTFLOW_DATA_DIR`, or `DATABASE_URL`), the node
 * registry, storage with registry validation, the run services, and the server's `WorkflowRunner`.
 * @module
 */
import type { NodeRegistryV2 } from "@portflow/engine";
import type { Providers } from "@portflow/nodes";
import type { Storage } from "@portflow/storage";
import type { ServerConfig } from "../config.ts";
import { openRuntime } from "../portflow-runtime.ts";
import { RunService } from "../run-service.ts";
import { RunTracker } from "../run-tracker.ts";
import { WorkflowRunner } from "../workflow-runner.ts";

export interface CliContext {
  readonly config: ServerConfig;
  readonly providers: Providers;
  readonly registry: NodeRegistryV2;
  readonly storage: Storage;
  readonly runner: WorkflowRunner;
  /** How the CLI starts runs, the same way the server does. */
  readonly runService: RunService;
  /** Closes the database and releases provider connections. */
  close(): Promise<void>;
}

/**
 * Opens (and migrates) the configured database and wires storage, registry, providers and runner.
 * The caller holds the embedded data directory's lock (CliSession).
 */
export async function openCliContext(
  config: ServerConfig,
  options: { readonly shortLived?: boolean } = {},
): Promise<CliContext> {
  const runtime = await openRuntime(config, { maxConnections: 4, ...options });
  const { providers, registry, storage } = runtime;
  const runner = new WorkflowRunner(runtime.executor, new RunTracker(), (botId) => ({
    resolve: (names, options) => runtime.storage.botSecrets.resolve(botId, names, options),
  }));
  return {
    config,
    providers,
    registry,
    storage,
    runner,
    runService: new RunService(runner, storage),
    close: () => runtime.close(),
  };
}
