/**
 * Turns every error into one shape, `{error: {code, message, details}}`, with no stack traces.
 * @module
 */

import { IngestError } from "@portflow/nodes/ingest";
import {
  ConflictError,
  InvalidCursorError,
  InvalidWorkflowError,
  isDatabaseUnavailable,
  NotFoundError,
} from "@portflow/storage";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { AppError, type ErrorCode } from "./app-error.ts";
import type { ErrorResponse } from "./error-schema.ts";
import type { OutageLog } from "./outage-log.ts";

/** Seconds a client is asked to wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** The 503 every request that needs the unreachable database answers. */
export function databaseUnavailable(details?: unknown): AppError {
  return new AppError(503, "database_unavailable", `the database is unavailable; retry in a few seconds`, details);
}

/** One invalid field: where (`body.message`, `query.limit`) and why. */
export interface FieldIssue {
  readonly path: string;
  readonly message: string;
  /** For an object that got keys it does not know: those keys. */
  readonly unknown_keys?: readonly string[];
}

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  503: "service_unavailable",
};

const CONTEXT_NAMES: Readonly<Record<string, string>> = { querystring: "query", params: "path" };

function fieldPath(context: string | undefined, instancePath: string): string {
  const parts = [CONTEXT_NAMES[context ?? ""] ?? context ?? "body"];
  for (const segment of instancePath.split("/")) if (segment !== "") parts.push(segment);
  return parts.join(".");
}

/** The response body and status for an error. Unknown errors become a bare 500. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorResponse } {
  if (error instanceof AppError) {
    // details is always there (an empty object at least), as the README promises
    const body: ErrorResponse["error"] = { code: error.code, message: error.message, details: error.details ?? {} };
    return { status: error.statusCode, body: { error: body } };
  }
  if (error instanceof ConflictError) {
    const details = error.currentRevision === undefined ? {} : { current_revision: error.currentRevision };
    return { status: 409, body: { error: { code: "revision_conflict", message: error.message, details } } };
  }
  if (error instanceof InvalidWorkflowError) {
    return {
      status: 422,
      body: { error: { code: "workflow_invalid", message: error.message, details: { problems: error.problems } } },
    };
  }
  if (error instanceof InvalidCursorError) {
    const issue = { path: "query.cursor", message: error.message };
    return {
      status: 400,
      body: {
        error: { code: "invalid_cursor", message: `${issue.path}: ${issue.message}`, details: { issues: [issue] } },
      },
    };
  }
  if (error instanceof NotFoundError) {
    return { status: 404, body: { error: { code: "not_found", message: error.message, details: {} } } };
  }
  if (error instanceof IngestError) {
    const code = error.code;
    const [status, appCode]: [number, ErrorCode] =
      code === "TOO_LARGE" || code === "ARCHIVE_TOO_LARGE"
        ? [413, "payload_too_large"]
        : code === "UNSUPPORTED_TYPE"
          ? [415, "unsupported_media_type"]
          : [422, "invalid_document"];
    const details = { reason: code, ...(error.limit !== undefined && { limit: error.limit }) };
    return { status, body: { error: { code: appCode, message: error.message, details } } };
  }
  if (isDatabaseUnavailable(error)) return toErrorResponse(databaseUnavailable());
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const issues: FieldIssue[] = error.validation.map((v) => {
      const keys = v.keyword === "unrecognized_keys" ? (v.params as { keys?: unknown }).keys : undefined;
      return {
        path: fieldPath(context, v.instancePath),
        message: v.message ?? "is invalid",
        ...(Array.isArray(keys) && { unknown_keys: keys.map(String) }),
      };
    });
    return {
      status: 400,
      body: {
        error: {
          code: "validation_error",
          message: `invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
          details: { issues },
        },
      },
    };
  }
  const status = (error as Partial<FastifyError> | undefined)?.statusCode;
  if (
    typeof status === "number" &&
    status >= 400 &&
    status < 500 &&
    !isResponseSerializationError(error as object) &&
    error instanceof Error
  ) {
    return {
      status,
      body: { error: { code: CODE_BY_STATUS[status] ?? "bad_request", message: error.message, details: {} } },
    };
  }
  if (status === 503 && error instanceof Error) {
    return { status, body: { error: { code: "service_unavailable", message: error.message, details: {} } } };
  }
  return { status: 500, body: { error: { code: "internal_error", message: "internal server error", details: {} } } };
}

export interface ErrorHandlingOptions {
  /** Told of each request that failed on an unreachable database (instead of an error log per request). */
  readonly databaseOutage?: OutageLog;
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** Fastify's "Request body is too large", with the limit the request went over. */
function withBodyLimit(error: unknown, request: FastifyRequest): unknown {
  if ((error as Partial<FastifyError> | undefined)?.code !== "FST_ERR_CTP_BODY_TOO_LARGE") return error;
  const limit = request.routeOptions.bodyLimit;
  return new AppError(
    413,
    "payload_too_large",
    `body: larger than the ${formatBytes(limit)} limit for a request body (${limit} bytes)`,
    { limit_bytes: limit },
  );
}

/** Installs the error and not-found handlers on an app. */
export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorResponse(withBodyLimit(error, request));
    if (body.error.code === "database_unavailable") {
      if (options.databaseOutage) options.databaseOutage.down(error);
      else request.log.warn({ err: error }, "database unavailable");
      reply.header("retry-after", DATABASE_RETRY_AFTER_SECONDS);
    } else if (status >= 500) request.log.error({ err: error }, "request failed");
    else request.log.debug({ code: body.error.code }, body.error.message);
    return reply.status(status).type("application/json").send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? request.url;
    return reply.status(404).send({
      error: {
        code: "not_found",
        message: `route ${request.method} ${path} not found`,
        details: { resource: "route", method: request.method, path },
      },
    });
  });
}
