import { providerErrorFromSdk } from "../sdk-error.ts";
import { anthropicSdk } from "./anthropic-sdk.ts";

/** Maps an `@anthropic-ai/sdk` error to a `ProviderError` (aborts and foreign errors pass through). */
export function anthropicError(error: unknown, operation: string): unknown {
  return providerErrorFromSdk(error, anthropicSdk(), { name: "anthropic", label: "Anthropic" }, operation);
}
