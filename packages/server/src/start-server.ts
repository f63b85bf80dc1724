/**
 * Starts the whole server from a configuration: database (PGlite or PostgreSQL), providers,
 * Redis (optional), the app; listens and shuts down gracefully on SIGTERM/SIGINT.
 * @module
 */

import type { ChatModel } from "@portflow/engine";
import { Services } from "@portflow/engine";
import type { Redis } from "ioredis";
import { pino } from "pino";
import { type ApiKeyVerifier, storedApiKeys } from "./api-key-auth.ts";
import { buildApp, type PortflowApp } from "./build-app.ts";
import type { ServerConfig } from "./config.ts";
import { createDocumentIngestion } from "./document-ingestion.ts";
import { OutageLog } from "./outage-log.ts";
import { pinoEngineLogger } from "./pino-engine-logger.ts";
import { openRuntime } from "./portflow-runtime.ts";
import { openRunQueue } from "./queue/open-run-queue.ts";
import { connectRedis } from "./redis-connection.ts";
import { CANCEL_WIND_DOWN_MS } from "./run-tracker.ts";
import { warmUpSandboxesAtStart } from "./sandbox-warm-up.ts";

/**
 * What shutdown may take beyond `PORTFLOW_SHUTDOWN_GRACE_MS`: the cancelled runs' wind-down, then
 * closing the listener, Redis and the database. Past it the process exits 1 all the same.
 */
export const SHUTDOWN_BOUND_MS = CANCEL_WIND_DOWN_MS + 3_000;
/** Each of Redis quit and the database close after the drain. */
const CLOSE_STEP_MS = 1_000;

export interface RunningServer {
  readonly app: PortflowApp;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /**
   * Graceful shutdown: refuse new requests, drain (then cancel) runs, close Redis and the
   * database. Resolves within `shutdownGraceMs + SHUTDOWN_BOUND_MS`.
   */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Install SIGTERM/SIGINT handlers that close the server (default true). */
  readonly handleSignals?: boolean;
  /** Replaces the configured provider's chat model (tests, embedders). */
  readonly chatModel?: ChatModel;
}

/** Settles when `promise` does or after `ms`, whichever comes first; false on timeout. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Opens everything the configuration names and starts listening.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * console.log(`listening on ${server.url}`);
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const log = pino(
    { level: config.logLevel, name: "portflow" },
    config.logFormat === "pretty" ? (await import("pino-pretty")).default() : undefined,
  );
  const databaseOutage = new OutageLog(log, "database", "requests that need it answer 503 database_unavailable");
  const runtime = await openRuntime(config, {
    logger: pinoEngineLogger(log.child({ component: "engine" })),
    ...(config.instanceId !== undefined && { instanceId: config.instanceId }),
    onDatabaseConnectionError: (error) => databaseOutage.down(error),
    onDatabaseConnected: () => databaseOutage.up(),
  });
  const { providers, registry, storage, services } = runtime;
  if (options.chatModel !== undefined) services.register(Services.ChatModel, options.chatModel);

  let redis: Redis | undefined;
  const redisOutage = new OutageLog(
    log,
    "redis",
    "rate limits are skipped and chats answer without their stored history",
  );
  if (config.redisUrl !== undefined) {
    redis = await connectRedis(config.redisUrl, { timeoutMs: config.redisTimeoutMs, outage: redisOutage });
    log.info("rate limits and chat sessions are shared through Redis");
  } else {
    log.info("REDIS_URL is not set: rate limits and chat sessions live in memory (one process only)");
  }

  const ingestion = createDocumentIngestion(storage, providers.embedder, config, runtime.documentParser);
  // Every key lives hashed in Postgres: PORTFLOW_ADMIN_KEY is adopted on start, CLI keys are made there.
  if (config.adminKey !== undefined) {
    // The env key is the one adopted key: a new PORTFLOW_ADMIN_KEY retires the one before it.
    const adopted = await storage.apiKeys.adopt(config.adminKey, { name: "PORTFLOW_ADMIN_KEY" });
    if (adopted.replaced.length > 0) {
      log.info({ revoked: adopted.replaced.map((k) => k.id) }, "PORTFLOW_ADMIN_KEY changed: revoked the previous one");
    }
    if (adopted.key.revokedAt !== null) {
      log.warn({ key: adopted.key.id }, "PORTFLOW_ADMIN_KEY was revoked and stays revoked: set a new one");
    }
  }
  const apiKeys: ApiKeyVerifier = storedApiKeys(storage.apiKeys);

  // Queue mode: runs become BullMQ jobs for `portflow worker`; their events come back through Redis Streams.
  const queue =
    config.execution.mode === "queue" && config.redisUrl !== undefined ? openRunQueue(config.redisUrl) : undefined;
  if (queue !== undefined) log.info("PORTFLOW_EXECUTION=queue: runs execute on portflow worker processes");

  const app = await buildApp({
    config,
    ...(queue !== undefined && { runEvents: queue.events, runDispatcher: queue.dispatcher }),
    storage,
    registry,
    services,
    ingestion,
    apiKeys,
    ...(redis !== undefined && { redis, redisOutage }),
    databaseOutage,
    logger: log,
  });

  // Runs left `running` by a process that died are marked `interrupted`: at start those of this
  // instance's earlier boots at once (it cannot be running them any more), then any run whose
  // lease expired (a peer's), every lease period.
  const sweep = (earlierBoots: boolean) =>
    storage.runs.sweepInterrupted(earlierBoots ? { earlierBootsOf: storage.recorder } : {}).then(
      (ids) => ids.length > 0 && log.warn({ runs: ids.length }, "marked runs of a stopped process interrupted"),
      (error: unknown) => log.warn({ err: error }, "could not sweep interrupted runs"),
    );
  await sweep(config.instanceId !== undefined);
  const sweeper = setInterval(() => void sweep(false), config.runLeaseMs);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info("shutting down");
      clearInterval(sweeper);
      // Each step runs whatever the one before did: Redis and the database are always closed.
      let failure: unknown;
      try {
        await app.shutdown();
      } catch (error) {
        failure = error;
      }
      if (queue !== undefined) await within(queue.close(), CLOSE_STEP_MS);
      if (redis !== undefined) {
        const client = redis;
        await within(
          client.quit().catch(() => {}),
          CLOSE_STEP_MS,
        );
        client.disconnect(); // stops reconnecting if Redis was down and quit could not be sent
      }
      try {
        if (!(await within(runtime.close(), CLOSE_STEP_MS))) log.warn("the database did not close in time");
      } catch (error) {
        failure ??= error;
      }
      if (failure !== undefined) throw failure;
    })();
    return closing;
  };
  const url = await app.listen({ host: config.host, port: config.port });
  // In the background: requests are served meanwhile, and a code node that comes first waits for the same load.
  const warmStarted = performance.now();
  void warmUpSandboxesAtStart(config.sandbox.warm, runtime.sandboxes, storage).then(
    (warmed) =>
      (warmed.quickjs || warmed.python) &&
      log.info({ ...warmed, ms: Math.round(performance.now() - warmStarted) }, "sandboxes loaded"),
    (error: unknown) => closing === undefined && log.warn({ err: error }, "could not load the sandboxes at start"),
  );
  if (options.handleSignals !== false) {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        // The bound holds even if something hangs: exit 1 rather than linger.
        const deadline = setTimeout(() => {
          log.error({ boundMs: config.shutdownGraceMs + SHUTDOWN_BOUND_MS }, "shutdown timed out");
          process.exit(1);
        }, config.shutdownGraceMs + SHUTDOWN_BOUND_MS);
        deadline.unref();
        close().then(
          () => process.exit(0),
          (error: unknown) => {
            log.error({ err: error }, "shutdown failed");
            process.exit(1);
          },
        );
      });
    }
  }
  return { app, url, close };
}
