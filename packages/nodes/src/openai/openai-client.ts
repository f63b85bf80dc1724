import type OpenAI from "openai";
import { openAiSdk } from "./openai-sdk.ts";

/** Where and how to reach an OpenAI-compatible API. */
export interface OpenAiClientOptions {
  /** Default `https://api.openai.com/v1`; any OpenAI-compatible server (Azure OpenAI v1, Ollama, vLLM, LM Studio). */
  readonly baseURL?: string;
  /** Servers on your own machine need none (a placeholder is sent). */
  readonly apiKey?: string;
  /** Per HTTP attempt. Default 60,000 ms. */
  readonly timeoutMs?: number;
  /** Retries of throttled, 5xx and failed connections (honouring `retry-after`). Default 2. */
  readonly maxRetries?: number;
}

/** The default OpenAI API address. */
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";

/**
 * An `openai` SDK client from explicit options only: the SDK's own environment fallbacks
 * (`OPENAI_BASE_URL`, `OPENAI_ORG_ID`, ...) are overridden, so configuration stays at the edge.
 */
export function createOpenAiClient(options: OpenAiClientOptions = {}): OpenAI {
  const OpenAiClient = openAiSdk();
  return new OpenAiClient({
    apiKey: options.apiKey ?? "not-needed",
    baseURL: options.baseURL ?? DEFAULT_OPENAI_BASE_URL,
    organization: null,
    project: null,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: options.maxRetries ?? 2,
  });
}
