import OpenAI from "openai";
import { providerErrorFromSdk } from "../sdk-error.ts";

/** Maps an `openai` SDK error to a `ProviderError` (aborts and foreign errors pass through). */
export function openAiError(error: unknown, operation: string, provider = "openai"): unknown {
  return providerErrorFromSdk(error, OpenAI, { name: provider, label: "OpenAI" }, operation);
}
