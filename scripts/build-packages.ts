/**
 * Vitest global setup: brings the packages' build (`dist/`) up to date before any test runs, so the
 * tests that spawn the built `portflow` bin or pack a package test the current sources.
 * `tsc -b` is incremental: a few seconds when nothing changed.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");

/** Runs `pnpm build`'s steps (tsc -b, then the asset copy). */
export default function buildPackages(): void {
  execFileSync(process.execPath, [resolve(root, "node_modules/typescript/bin/tsc"), "-b", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  execFileSync(process.execPath, [resolve(root, "scripts/copy-build-assets.mjs")], { cwd: root, stdio: "inherit" });
}
