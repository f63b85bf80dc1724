import { providerErrorFromSdk } from "../sdk-error.ts";
import { openAiSdk } from "./openai-sdk.ts";

/** Maps an `openai` SDK error to a `ProviderError` (aborts and foreign errors pass through). */
export function openAiError(error: unknown, operation: string, provider = "openai"): unknown {
  return providerErrorFromSdk(error, openAiSdk(), { name: provider, label: "OpenAI" }, operation);
}
