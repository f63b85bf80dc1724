/**
 * What every console browser test needs besides its own server: the console built from the
 * current sources into a temporary directory, the artifacts folder, and a signed-in page.
 * @module
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";

/** Screenshots and metrics of the console's browser tests. */
export const ARTIFACTS = join(resolve(import.meta.dirname, "../../.."), "test-artifacts", "console");
const CONSOLE_ROOT = resolve(import.meta.dirname, "..");

/** A production build of the console, made now (not whatever `pnpm install` last built). */
export interface ConsoleBuild {
  readonly dir: string;
  remove(): void;
}

/** Builds the console into a new temporary directory; also makes sure {@link ARTIFACTS} exists. */
export async function buildConsole(): Promise<ConsoleBuild> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), "portflow-console-"));
  // a child process: vitest's NODE_ENV=test would give React's development build
  execFileSync(
    process.execPath,
    [
      join(CONSOLE_ROOT, "node_modules/vite/bin/vite.js"),
      "build",
      "--outDir",
      dir,
      "--emptyOutDir",
      "--logLevel",
      "warn",
    ],
    { cwd: CONSOLE_ROOT, env: { ...process.env, NODE_ENV: "production" }, stdio: "inherit" },
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens the console at `base` and signs in with the `Bearer …` authorization header's key. */
export async function signIn(page: Page, base: string, authorization: string): Promise<void> {
  await page.goto(`${base}/console/`);
  await page.getByLabel("API key").fill(authorization.replace(/^Bearer /, ""));
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}
