import { accessSync, constants } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Memory-backed on Linux: copying and syncing an embedded database there costs next to nothing. */
const SHM = "/dev/shm";

function memoryBacked(): boolean {
  try {
    accessSync(SHM, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A new temporary directory for test data (PGlite data directories and their copies): under
 * `/dev/shm` where it is writable, else the OS temp directory. The caller removes it.
 *
 * @example
 * const dir = await makeTempDir("portflow-cli-");
 */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(memoryBacked() ? SHM : tmpdir(), prefix));
}
