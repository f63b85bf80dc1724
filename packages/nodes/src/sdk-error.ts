import { kindOfStatus, ProviderError, type ProviderErrorKind } from "./provider-error.ts";

/** The error classes the OpenAI and Anthropic SDKs share (both are generated the same way). */
export interface SdkErrorClasses {
  readonly APIError: abstract new (...args: never[]) => Error & { readonly status: number | undefined };
  readonly APIUserAbortError: abstract new (...args: never[]) => Error;
  readonly APIConnectionError: abstract new (...args: never[]) => Error;
  readonly APIConnectionTimeoutError: abstract new (...args: never[]) => Error;
}

/** Error types the APIs name in a body or an SSE `error` event, mapped to a kind. */
const KIND_OF_TYPE: Readonly<Record<string, ProviderErrorKind>> = {
  rate_limit_error: "throttled",
  rate_limit_exceeded: "throttled",
  overloaded_error: "throttled",
  api_error: "unavailable",
  server_error: "unavailable",
  timeout_error: "timeout",
  invalid_request_error: "invalid_request",
};

function errorType(error: Error): string | undefined {
  const body = (error as { error?: unknown }).error;
  const candidates = [
    (body as { type?: unknown } | undefined)?.type,
    (body as { error?: { type?: unknown } } | undefined)?.error?.type,
    (error as { type?: unknown }).type,
    (error as { code?: unknown }).code,
  ];
  const found = candidates.find((c) => typeof c === "string" && c !== "error");
  return found as string | undefined;
}

/**
 * Maps an error thrown by the OpenAI or Anthropic SDK to a {@link ProviderError}:
 * `<Provider> <type> (HTTP <status>) from <operation>: <the API's message>`. Aborts and errors
 * that did not come from the SDK (a throwing `onText`, say) pass through unchanged.
 */
export function providerErrorFromSdk(
  error: unknown,
  sdk: SdkErrorClasses,
  provider: { readonly name: string; readonly label: string },
  operation: string,
): unknown {
  if (!(error instanceof Error) || error instanceof ProviderError) return error;
  // a plain boolean, not a type guard: every SDK class is an Error, and a guard would narrow to never
  const is = (type: abstract new (...args: never[]) => Error): boolean => error instanceof type;
  if (error.name === "AbortError" || is(sdk.APIUserAbortError)) return error;
  const at = `${provider.label} request failed (${operation})`;
  if (is(sdk.APIConnectionTimeoutError))
    return new ProviderError(`${at}: timed out`, { provider: provider.name, kind: "timeout", cause: error });
  if (is(sdk.APIConnectionError))
    return new ProviderError(`${at}: ${error.message}`, { provider: provider.name, kind: "network", cause: error });
  if (!is(sdk.APIError)) return error;
  const type = errorType(error);
  const status = (error as { status?: number }).status;
  // an `error` event inside a stream has no status of its own: its type says what happened
  const kind: ProviderErrorKind =
    status !== undefined
      ? kindOfStatus(status)
      : ((type !== undefined ? KIND_OF_TYPE[type] : undefined) ?? "unavailable");
  const code = type ?? (status !== undefined ? `HTTP${status}` : "stream_error");
  const where = status !== undefined ? ` (HTTP ${status})` : " (mid-stream)";
  // the SDKs prefix the message with the status; say it once
  const message = error.message.replace(/^\d{3}\s+/, "");
  return new ProviderError(`${provider.label} ${code}${where} from ${operation}: ${message}`, {
    provider: provider.name,
    kind,
    code,
    ...(status !== undefined ? { status } : {}),
    cause: error,
  });
}
