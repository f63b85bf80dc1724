import Anthropic from "@anthropic-ai/sdk";
import { providerErrorFromSdk } from "../sdk-error.ts";

/** Maps an `@anthropic-ai/sdk` error to a `ProviderError` (aborts and foreign errors pass through). */
export function anthropicError(error: unknown, operation: string): unknown {
  return providerErrorFromSdk(error, Anthropic, { name: "anthropic", label: "Anthropic" }, operation);
}
