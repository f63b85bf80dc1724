import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { makeTempDir } from "./make-temp-dir.ts";

/**
 * A temporary folder holding a seed data directory, prepared once per test file, and the data
 * directories the tests run on: private copies of the seed or fresh empty ones, so that no test
 * sees another's changes.
 */
export interface SeedDataDir {
  /** The temporary folder (for the test's own files: see {@link SeedDataDir.file}). */
  readonly dir: string;
  /** The data directory to prepare before the tests; tests run on copies of it. */
  readonly seed: string;
  /** The path of `name` in the temporary folder. */
  file(name: string): string;
  /** A new, empty data directory's path (not created). */
  fresh(): string;
  /** A private copy of the seed. */
  copySeed(): Promise<string>;
  /** Removes the temporary folder and everything in it. */
  remove(): Promise<void>;
}

/**
 * Makes the temporary folder (named `prefix…`, memory-backed where possible: see `makeTempDir`).
 *
 * @example
 * const data = await makeSeedDataDir("portflow-cli-");
 * await runCliOrThrow(data.seed, "bots", "create", "--name", "faq");
 * const dataDir = await data.copySeed();
 */
export async function makeSeedDataDir(prefix: string): Promise<SeedDataDir> {
  const dir = await makeTempDir(prefix);
  let dataDirs = 0;
  const fresh = () => join(dir, `data-${++dataDirs}`);
  const seed = join(dir, "seed");
  return {
    dir,
    seed,
    file: (name) => join(dir, name),
    fresh,
    async copySeed() {
      const copy = fresh();
      await cp(seed, copy, { recursive: true });
      return copy;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
