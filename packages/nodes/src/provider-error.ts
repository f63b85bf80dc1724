/** Why a provider call failed, in the terms the fallback chain decides by. */
export type ProviderErrorKind =
  /** 429, or the provider says it is overloaded. */
  | "throttled"
  /** 5xx. */
  | "unavailable"
  /** No answer in time. */
  | "timeout"
  /** The connection failed. */
  | "network"
  /** The request itself was refused (400, 413, 422, ...): another provider would refuse it too. */
  | "invalid_request"
  /** The key or the account was refused (401, 403), or the model is unknown there (404). */
  | "rejected"
  /** The provider answered something that is not what its API promises. */
  | "invalid_response";

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(["throttled", "unavailable", "timeout", "network"]);

/**
 * A failed call to the OpenAI or Anthropic API (Bedrock's is `BedrockError`, of the same shape:
 * `code`, `status`, `attempts`, `retryable`). `retryable` is true for throttling, 5xx, timeouts and
 * connection failures: the call may succeed later or elsewhere, so a fallback chain moves on.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  /** The provider's error type (`rate_limit_error`, `invalid_request_error`, ...) or `HTTP<status>`. */
  readonly code: string;
  readonly status: number | undefined;
  readonly attempts: number | undefined;
  readonly retryable: boolean;

  constructor(
    message: string,
    details: {
      provider: string;
      kind: ProviderErrorKind;
      code?: string;
      status?: number;
      attempts?: number;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.provider = details.provider;
    this.kind = details.kind;
    this.code = details.code ?? details.kind;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = RETRYABLE.has(details.kind);
  }
}

/** The kind an HTTP status from a model API means. */
export function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429 || status === 529) return "throttled";
  if (status === 408) return "timeout";
  if (status >= 500) return "unavailable";
  if (status === 401 || status === 403 || status === 404) return "rejected";
  return "invalid_request";
}

/**
 * Whether a failed chat call may succeed with another provider: a {@link ProviderError} or
 * `BedrockError` marked retryable (throttling, 5xx, timeout, connection failure). A request the
 * provider refused as invalid (400), an abort, or a bug in a callback is not.
 */
export function isRetryableProviderError(error: unknown): boolean {
  if (!(error instanceof Error) || error.name === "AbortError") return false;
  return (error as { retryable?: unknown }).retryable === true;
}
