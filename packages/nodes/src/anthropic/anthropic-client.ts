import type Anthropic from "@anthropic-ai/sdk";
import { anthropicSdk } from "./anthropic-sdk.ts";

/** Where and how to reach the Anthropic API. */
export interface AnthropicClientOptions {
  /** Default `https://api.anthropic.com` (a proxy or gateway that speaks the Messages API works too). */
  readonly baseURL?: string;
  /** A gateway that needs none gets a placeholder. */
  readonly apiKey?: string;
  /** Per HTTP attempt. Default 60,000 ms. */
  readonly timeoutMs?: number;
  /** Retries of throttled, overloaded, 5xx and failed connections (honouring `retry-after`). Default 2. */
  readonly maxRetries?: number;
}

/** The default Anthropic API address. */
export const DEFAULT_ANTHROPIC_BASE_URL = "https://api.anthropic.com";

/**
 * An `@anthropic-ai/sdk` client from explicit options only: passing the key and base URL keeps the
 * SDK from reading `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN` or `ANTHROPIC_BASE_URL` itself.
 */
export function createAnthropicClient(options: AnthropicClientOptions = {}): Anthropic {
  const AnthropicClient = anthropicSdk();
  return new AnthropicClient({
    apiKey: options.apiKey ?? "not-needed",
    baseURL: options.baseURL ?? DEFAULT_ANTHROPIC_BASE_URL,
    webhookKey: null,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
  });
}
