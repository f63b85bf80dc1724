/**
 * The one place a server configuration becomes a database and storage: `openRuntime` (the server,
 * workers, CLI commands that run workflows), the CLI's commands that only read and write rows and
 * `db migrate` all open it here, so the embedded/`DATABASE_URL` choice, the vector size, the HNSW
 * policy, the secret key and the recorder lease cannot drift apart. It loads neither the node types
 * nor the providers: a command that lists bots starts without them.
 * @module
 */
import type { Logger } from "@portflow/engine";
import {
  createStorage,
  openDatabase,
  type Storage,
  type StorageDatabase,
  type WorkflowValidator,
} from "@portflow/storage";
import type { ServerConfig } from "./config.ts";
import { embeddingDimensionsOf } from "./embedding-dimensions-of.ts";

/**
 * Embedded PostgreSQL settings of a short-lived process: a command reads or writes a few rows and
 * exits, so a 16 MB buffer pool is plenty, and setting up the default 128 MB one is a tenth of
 * its start-up (measured: about 0.1 s of CPU per `bots list` on this machine).
 */
const SHORT_LIVED_PGLITE_SETTINGS: Readonly<Record<string, string>> = { shared_buffers: "16MB" };

export interface OpenConfiguredDatabaseOptions {
  /** Pool size on a real server (default 10). */
  readonly maxConnections?: number;
  /** Size of `vector(D)`; default: what the configured embedder makes ({@link embeddingDimensionsOf}). */
  readonly embeddingDimensions?: number;
  /** Run migrations on open (default true). */
  readonly migrate?: boolean;
  /** A process that runs a few statements and exits (a CLI command): embedded PGlite starts smaller. */
  readonly shortLived?: boolean;
  /**
   * Whether this process reads or writes vectors (default true). False (listing bots, deleting a
   * document): embedded PGlite starts without pgvector, unless the schema must be migrated.
   */
  readonly usesVectors?: boolean;
  /** Connection errors the database pool absorbed (a PostgreSQL restart). */
  readonly onDatabaseConnectionError?: (error: Error) => void;
  /** The pool opened a connection (after an outage: the database is back). */
  readonly onDatabaseConnected?: () => void;
}

export interface OpenConfiguredStorageOptions extends OpenConfiguredDatabaseOptions {
  /**
   * Validates workflow versions on draft save and publish (`openRuntime` gives the node registry's);
   * absent: rows can be read and written, but saving a workflow version throws.
   */
  readonly validate?: WorkflowValidator;
  /** Owner of the runs this process records, stable across restarts (the server's `instanceId`). */
  readonly instanceId?: string;
  /** Where a failed HNSW index build is reported. */
  readonly logger?: Logger;
}

/** Opens (and by default migrates) the configured database: PGlite under `dataDir`, or `DATABASE_URL`. */
export function openConfiguredDatabase(
  config: ServerConfig,
  options: OpenConfiguredDatabaseOptions = {},
): Promise<StorageDatabase> {
  return openDatabase({
    ...(config.databaseUrl !== undefined && { databaseUrl: config.databaseUrl }),
    dataDir: config.dataDir,
    embeddingDimensions: options.embeddingDimensions ?? embeddingDimensionsOf(config),
    ...(options.migrate !== undefined && { migrate: options.migrate }),
    ...(options.maxConnections !== undefined && { maxConnections: options.maxConnections }),
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    preparedStatements: config.databasePreparedStatements,
    ...(options.onDatabaseConnectionError !== undefined && { onConnectionError: options.onDatabaseConnectionError }),
    ...(options.onDatabaseConnected !== undefined && { onConnected: options.onDatabaseConnected }),
    ...(options.shortLived === true && { pgliteSettings: SHORT_LIVED_PGLITE_SETTINGS }),
    ...(options.usesVectors === false && { pgliteVectorExtension: false }),
  });
}

/**
 * Opens the configured database and every repository over it.
 *
 * @example
 * const storage = await openConfiguredStorage(loadConfig(process.env), { shortLived: true });
 * try { console.log((await storage.bots.list()).items); } finally { await storage.close(); }
 */
export async function openConfiguredStorage(
  config: ServerConfig,
  options: OpenConfiguredStorageOptions = {},
): Promise<Storage> {
  const database = await openConfiguredDatabase(config, options);
  const { logger } = options;
  return createStorage(database, {
    validate:
      options.validate ??
      (() => {
        throw new Error("this storage was opened without the node types: saving a workflow version needs them");
      }),
    ...(config.secretKey !== undefined && { secretKey: config.secretKey }),
    vectors: {
      hnsw: config.hnsw,
      onIndexBuildError: (botId, error) =>
        logger?.warn("HNSW index build failed; the bot's searches stay exact", { bot_id: botId, error: error.message }),
    },
    recorder: {
      leaseMs: config.runLeaseMs,
      ...(options.instanceId !== undefined && { instanceId: options.instanceId }),
    },
  });
}
