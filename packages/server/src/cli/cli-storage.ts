/**
 * The database alone, for commands that only read and write rows (`bots list`, `runs show`, …):
 * opened from the server configuration like {@link openCliContext} opens it, but without the
 * providers, the node registry and the run services, whose modules take longer to load than the
 * command takes to run.
 * @module
 */
import { createStorage, openDatabase, type Storage } from "@portflow/storage";
import type { ServerConfig } from "../config.ts";
import { isDiskDataDir, lockDataDir } from "./data-dir-lock.ts";
import { embeddingDimensionsOf } from "./embedding-dimensions-of.ts";

/**
 * Opens (and migrates) the configured database, holding the data directory's lock until closed.
 * Its workflow versions can be read, not saved or published: validating a graph needs the node types.
 */
export async function openCliStorage(config: ServerConfig): Promise<Storage> {
  const lock =
    config.databaseUrl === undefined && isDiskDataDir(config.dataDir) ? lockDataDir(config.dataDir) : undefined;
  try {
    const database = await openDatabase({
      ...(config.databaseUrl !== undefined && { databaseUrl: config.databaseUrl }),
      dataDir: config.dataDir,
      embeddingDimensions: embeddingDimensionsOf(config),
      maxConnections: 4,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
    });
    const storage = createStorage(database, {
      validate: () => {
        throw new Error("this command opened the storage without the node types: open the full CLI context");
      },
      ...(config.secretKey !== undefined && { secretKey: config.secretKey }),
      recorder: { leaseMs: config.runLeaseMs },
    });
    return {
      ...storage,
      async close() {
        try {
          await storage.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
