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
   * Wraps an error from the SDK: `Bedrock ValidationException (HTTP 400) from converse <model>:
   * <Bedrock's message>`, or `Bedrock request failed (…)` for network errors. Abort errors and
   * errors that did not come from the SDK (a throwing callback, say) pass through unchanged.
   */
  static from(error: unknown, operation: string): unknown {
    if (error instanceof BedrockError || !(error instanceof Error)) return error;
    if (error.name === "AbortError") return error;
    const meta = (error as { $metadata?: { httpStatusCode?: number; attempts?: number } }).$metadata;
    const fault = (error as { $fault?: unknown }).$fault;
    if (meta === undefined && fault === undefined) return error;
    if (meta === undefined) {
      // an exception event inside a stream: a service error without an HTTP status of its own
      return new BedrockError(`Bedrock ${error.name} from ${operation} (mid-stream): ${error.message}`, {
        code: error.name,
        retryable: fault === "server" || error.name === "ThrottlingException",
        cause: error,
      });
    }
    const status = meta.httpStatusCode;
    const tries = meta.attempts !== undefined && meta.attempts > 1 ? ` after ${meta.attempts} attempts` : "";
    const attempts = meta.attempts !== undefined ? { attempts: meta.attempts } : {};
    if (status === undefined) {
      const code = (error as { code?: unknown }).code;
      return new BedrockError(`Bedrock request failed (${operation})${tries}: ${error.message}`, {
        code: typeof code === "string" ? code : "NetworkError",
        ...attempts,
        retryable: true,
        cause: error,
      });
    }
    const code = error.name && error.name !== "Error" ? error.name : `HTTP${status}`;
    const retryable =
      code === "ThrottlingException" ||
      code === "ServiceUnavailableException" ||
      code === "InternalServerException" ||
      code === "ModelNotReadyException" ||
      status === 429 ||
      status >= 500;
    return new BedrockError(`Bedrock ${code} (HTTP ${status}) from ${operation}${tries}: ${error.message}`, {
      code,
      status,
      ...attempts,
      retryable,
      cause: error,
    });
  }
}
