/**
 * One process at a time on an embedded (PGlite) data directory: PGlite has no locking of its own,
 * and two processes writing the same directory corrupt it. The CLI holds `portflow.lock` while it
 * has the database open, through `proper-lockfile`: a lock directory whose mtime the holder
 * refreshes, so a lock left by a killed process (in any PID namespace) goes stale and is taken over.
 * @module
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { CliError } from "./cli-error.ts";

export interface DataDirLock {
  /** Removes the lock (idempotent). */
  release(): void;
}

/** The lock's name inside the data directory. */
export const LOCK_FILE = "portflow.lock";
// A holder refreshes the lock every STALE_MS / 4; one that has not for STALE_MS is gone. Generous,
// because a PGlite query blocks the event loop of its process (and so the refresh) while it runs.
const STALE_MS = 20_000;

/** Whether a data directory setting is PGlite on disk (not `memory://`). */
export function isDiskDataDir(dataDir: string): boolean {
  return !dataDir.startsWith("memory://");
}

/**
 * Takes the lock of a PGlite data directory, or throws a CliError saying another process holds it.
 * The lock is also released when the process exits.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const lockfilePath = join(dataDir, LOCK_FILE);
  let unlock: () => void;
  try {
    unlock = lockfile.lockSync(dataDir, {
      lockfilePath,
      realpath: false,
      stale: STALE_MS,
      update: STALE_MS / 4,
      // The default throws from a timer (the process dies); a late refresh is worth a warning only.
      onCompromised: (error) =>
        process.emitWarning(`portflow: the lock ${lockfilePath} was compromised: ${error.message}`),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    throw new CliError(
      `the embedded database in ${dataDir} is in use by another portflow process (e.g. \`portflow serve\`): ` +
        "stop it first, use the HTTP API while it runs, or set DATABASE_URL to share a PostgreSQL server",
    );
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      try {
        unlock();
      } catch {
        // already released or taken over
      }
    },
  };
}
