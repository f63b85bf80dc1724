import { createRequire } from "node:module";
import type Anthropic from "@anthropic-ai/sdk";

const require = createRequire(import.meta.url);
let loaded: typeof Anthropic | undefined;

/**
 * The `@anthropic-ai/sdk` client class, loaded on first use: a process that never configures
 * Anthropic never pays for its import (~0.85 s on this project's loaded 2-core machine).
 */
export function anthropicSdk(): typeof Anthropic {
  loaded ??= (require("@anthropic-ai/sdk") as { default: typeof Anthropic }).default;
  return loaded;
}
