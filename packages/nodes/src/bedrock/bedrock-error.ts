/**
 * A failed Bedrock call, carrying what Bedrock said: its error type (`ValidationException`,
 * `ThrottlingException`, ...), HTTP status, message and how many attempts were made.
 */
export class BedrockError extends Error {
  override readonly name = "BedrockError";
  /** Bedrock's error type, e.g. `ValidationException`. */
  readonly code: string;
  readonly status: number | undefined;
  readonly attempts: number | undefined;
  /** Whether the SDK considered it transient (throttling, 5xx). */
  readonly retryable: boolean;

  constructor(
    message: string,
    details: { code: string; status?: number; attempts?: number; retryable?: boolean; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.status = details.status;
    this.attempts = details.attempts;
    this.retryable = details.retryable ?? false;
  }

  /**
   * Wraps an SDK error: `Bedrock ValidationException (HTTP 400) from converse: <Bedrock's message>`.
   * Abort errors pass through unchanged so cancellation stays cancellation.
   */
  static from(error: unknown, operation: string): unknown {
    if (error instanceof BedrockError || !(error instanceof Error)) return error;
    if (error.name === "AbortError") return error;
    const meta = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
    const status = meta?.httpStatusCode;
    const code = error.name && error.name !== "Error" ? error.name : "BedrockError";
    const retryable =
      code === "ThrottlingException" ||
      code === "ServiceUnavailableException" ||
      code === "InternalServerException" ||
      code === "ModelNotReadyException" ||
      (status !== undefined && (status === 429 || status >= 500));
    const where = status !== undefined ? ` (HTTP ${status})` : "";
    const tries = meta?.attempts !== undefined && meta.attempts > 1 ? ` after ${meta.attempts} attempts` : "";
    return new BedrockError(`Bedrock ${code}${where} from ${operation}${tries}: ${error.message}`, {
      code,
      ...(status !== undefined ? { status } : {}),
      ...(meta?.attempts !== undefined ? { attempts: meta.attempts } : {}),
      retryable,
      cause: error,
    });
  }
}
