/**
 * One process at a time on an embedded (PGlite) data directory: PGlite has no locking of its own,
 * and two processes writing the same directory corrupt it. The CLI holds `portflow.lock` (the
 * owner's pid) while it has the database open; a lock whose process is gone is taken over.
 * @module
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./cli-error.ts";

export interface DataDirLock {
  /** Removes the lock file (idempotent). */
  release(): void;
}

const LOCK_FILE = "portflow.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a data directory setting is PGlite on disk (not `memory://`). */
export function isDiskDataDir(dataDir: string): boolean {
  return !dataDir.startsWith("memory://");
}

/**
 * Takes the lock of a PGlite data directory, or throws a CliError naming the process that holds it.
 * The lock is also released when the process exits.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off("exit", release);
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
      process.on("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
      if (Number.isInteger(owner) && owner !== process.pid && alive(owner)) {
        throw new CliError(
          `the embedded database in ${dataDir} is in use by another portflow process (pid ${owner}, e.g. \`portflow serve\`): ` +
            "stop it first, use the HTTP API while it runs, or set DATABASE_URL to share a PostgreSQL server",
        );
      }
      unlinkSync(path); // its process is gone
    }
  }
  throw new CliError(`could not take the lock ${path}`);
}
