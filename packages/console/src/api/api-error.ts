/** A non-2xx answer of the API, with its `{"error":{code,message,details}}` body when it had one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Reads the error body of `response` (or falls back to its status text). */
  static async from(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => "");
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
      if (body.error?.message !== undefined) {
        return new ApiError(response.status, body.error.code ?? "error", body.error.message, body.error.details);
      }
    } catch {
      // not JSON: use the status line
    }
    return new ApiError(response.status, "http_error", `${response.status} ${response.statusText || text}`.trim());
  }
}
