import { createRequire } from "node:module";
import type OpenAI from "openai";

const require = createRequire(import.meta.url);
let loaded: typeof OpenAI | undefined;

/**
 * The `openai` SDK's client class, loaded on first use: a process that never configures OpenAI
 * never pays for its import (~0.4 s on this project's loaded 2-core machine).
 */
export function openAiSdk(): typeof OpenAI {
  loaded ??= (require("openai") as { default: typeof OpenAI }).default;
  return loaded;
}
