/**
 * Copies the files `tsc -b` does not emit into the build: the sandbox workers (plain JavaScript,
 * started as worker threads or child processes), the Python harness and the bundled Jinja engine.
 * Run by `pnpm build` after `tsc -b tsconfig.build.json`.
 */
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const ASSETS = [{ dir: "packages/nodes/src/sandbox", to: "packages/nodes/dist/sandbox", pattern: /\.(mjs|py|js)$/ }];

for (const { dir, to, pattern } of ASSETS) {
  mkdirSync(join(root, to), { recursive: true });
  for (const name of readdirSync(join(root, dir))) {
    if (pattern.test(name)) copyFileSync(join(root, dir, name), join(root, to, name));
  }
}
