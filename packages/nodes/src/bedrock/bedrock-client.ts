import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";

/** How to reach Bedrock. Everything is optional; the SDK's defaults fill the rest. */
export interface BedrockClientOptions {
  /** AWS region. Default `us-east-1`. */
  readonly region?: string;
  /** Endpoint override (`BEDROCK_ENDPOINT`; the fake server in tests). */
  readonly endpoint?: string;
  /** Credentials; the SDK's default provider chain when omitted. */
  readonly credentials?: BedrockRuntimeClientConfig["credentials"];
  /** HTTP handler; the SDK's HTTP/2 handler when omitted. */
  readonly requestHandler?: BedrockRuntimeClientConfig["requestHandler"];
  /** Attempts per call including the first (the SDK's standard retry). Default 3. */
  readonly maxAttempts?: number;
  /** A retry strategy (tests use `new ConfiguredRetryStrategy(3, 10)` for fast retries). */
  readonly retryStrategy?: BedrockRuntimeClientConfig["retryStrategy"];
  /** Auth schemes in order of preference; tests pin `["sigv4"]` so a bearer token in the environment is ignored. */
  readonly authSchemePreference?: string[];
}

/**
 * A Bedrock runtime client from plain options: throttling (429) and 5xx are retried by the
 * SDK's standard strategy, 3 attempts by default; 4xx validation and access errors are not.
 *
 * @example
 * const client = createBedrockClient({ region: "us-east-1" });
 */
export function createBedrockClient(options: BedrockClientOptions = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: options.region ?? "us-east-1",
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
    ...(options.retryStrategy !== undefined ? { retryStrategy: options.retryStrategy } : {}),
    ...(options.authSchemePreference !== undefined ? { authSchemePreference: options.authSchemePreference } : {}),
  });
}
