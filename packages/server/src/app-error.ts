/**
 * The one error type routes throw; the error handler turns it into `{error: {code, message, details}}`.
 * @module
 */

export type ErrorCode =
  | "bad_request"
  | "validation_error"
  | "invalid_cursor"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "revision_conflict"
  | "workflow_invalid"
  | "dify_import_refused"
  | "no_workflow"
  | "bot_inactive"
  | "run_failed"
  | "run_cancelled"
  | "run_not_recorded"
  | "workflow_changed"
  | "run_not_resumable"
  | "version_incompatible"
  | "node_not_debuggable"
  | "inputs_not_recorded"
  | "payload_too_large"
  | "unsupported_media_type"
  | "invalid_document"
  | "rate_limited"
  | "service_unavailable"
  | "database_unavailable"
  | "internal_error";

/** An error with an HTTP status and a stable code, safe to show to clients. */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /**
   * `details.resource` names the kind (`bot`, `workflow_version`). Never the id: a 404 for another
   * bot's resource must read exactly like one for a resource that does not exist.
   */
  static notFound(what: string, resource = what.replaceAll(" ", "_")): AppError {
    return new AppError(404, "not_found", `${what} not found`, { resource });
  }

  static unauthorized(message = "a valid API key is required (Authorization: Bearer pf_...)"): AppError {
    return new AppError(401, "unauthorized", message, { header: "authorization", scheme: "Bearer" });
  }

  static forbidden(message: string): AppError {
    return new AppError(403, "forbidden", message);
  }

  static conflict(message: string, details?: unknown, code: ErrorCode = "conflict"): AppError {
    return new AppError(409, code, message, details);
  }
}
