/**
 * Starts the whole server from a configuration: database (PGlite or PostgreSQL), providers,
 * Redis (optional), the app; listens and shuts down gracefully on SIGTERM/SIGINT.
 * @module
 */

import { Redis } from "ioredis";
import { pino } from "pino";
import { type ApiKeyVerifier, storedApiKeys } from "./api-key-auth.ts";
import { buildApp, type PortflowApp } from "./build-app.ts";
import type { ServerConfig } from "./config.ts";
import { createDocumentIngestion } from "./document-ingestion.ts";
import { pinoEngineLogger } from "./pino-engine-logger.ts";
import { openRuntime } from "./portflow-runtime.ts";

const SWEEP_INTERVAL_MS = 60_000;

export interface RunningServer {
  readonly app: PortflowApp;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** Graceful shutdown: stop accepting, drain (then cancel) runs, close Redis and the database. */
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** Install SIGTERM/SIGINT handlers that close the server (default true). */
  readonly handleSignals?: boolean;
}

/**
 * Opens everything the configuration names and starts listening.
 *
 * @example
 * const server = await startServer(loadConfig(process.env));
 * console.log(`listening on ${server.url}`);
 */
export async function startServer(config: ServerConfig, options: StartServerOptions = {}): Promise<RunningServer> {
  const log = pino({ level: config.logLevel, name: "portflow" });
  const runtime = await openRuntime(config, { logger: pinoEngineLogger(log.child({ component: "engine" })) });
  const { providers, registry, storage, services } = runtime;

  let redis: Redis | undefined;
  if (config.redisUrl !== undefined) {
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 2_000, lazyConnect: true });
    redis.on("error", (error) => log.warn({ err: error }, "redis error"));
    await redis.connect();
    log.info("rate limits and chat sessions are shared through Redis");
  } else {
    log.info("REDIS_URL is not set: rate limits and chat sessions live in memory (one process only)");
  }

  const ingestion = createDocumentIngestion(storage, providers.embedder, config);
  // Every key lives hashed in Postgres: PORTFLOW_ADMIN_KEY is adopted on start, CLI keys are made there.
  if (config.adminKey !== undefined) await storage.apiKeys.adopt(config.adminKey, { name: "PORTFLOW_ADMIN_KEY" });
  const apiKeys: ApiKeyVerifier = storedApiKeys(storage.apiKeys);

  const app = await buildApp({
    config,
    storage,
    registry,
    services,
    ingestion,
    apiKeys,
    ...(redis !== undefined && { redis }),
    logger: log,
  });

  // Runs left `running` by a process that died (here or on a peer) are marked `interrupted`.
  const sweep = () =>
    storage.runs.sweepInterrupted().then(
      (ids) => ids.length > 0 && log.warn({ runs: ids.length }, "marked runs of a stopped process interrupted"),
      (error: unknown) => log.warn({ err: error }, "could not sweep interrupted runs"),
    );
  await sweep();
  const sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
  sweeper.unref();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      log.info("shutting down");
      clearInterval(sweeper);
      await app.close();
      await redis?.quit().catch(() => redis?.disconnect());
      await runtime.close();
    })();
    return closing;
  };
  const url = await app.listen({ host: config.host, port: config.port });
  if (options.handleSignals !== false) {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
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
