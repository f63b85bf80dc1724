import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium (scripts/ci/install-chromium.sh); Playwright's own browser download cannot work here. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/**
 * Without the background-networking flags Chromium keeps dialling Google's hosts, which this
 * machine's closed network refuses.
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface LaunchedChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with a fresh profile, or returns undefined with a notice when it is
 * not installed, unless `required` (default: `CI=true`), when its absence is an error.
 */
export async function launchChromium(
  options: { readonly required?: boolean } = {},
): Promise<LaunchedChromium | undefined> {
  const required = options.required ?? process.env.CI === "true";
  if (!existsSync(CHROMIUM_PATH)) {
    const message = `Chromium unavailable: no ${CHROMIUM_PATH} (run scripts/ci/install-chromium.sh as root to install it)`;
    if (required) throw new Error(message);
    console.warn(`[notice] ${message}; skipping the console browser tests`);
    return undefined;
  }
  const profile = await mkdtemp(join(tmpdir(), "portflow-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
