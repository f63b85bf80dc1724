import type { BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { z } from "zod";
import { EMBEDDING_PROVIDERS, MODEL_PROVIDERS } from "./model-provider.ts";

/** Credentials the Bedrock client accepts: an identity object or a provider function. */
export type BedrockCredentials = NonNullable<BedrockRuntimeClientConfig["credentials"]>;
/** The HTTP handler the Bedrock client sends requests through. */
export type BedrockRequestHandler = NonNullable<BedrockRuntimeClientConfig["requestHandler"]>;
/** The retry strategy of the Bedrock client. */
export type BedrockRetryStrategy = NonNullable<BedrockRuntimeClientConfig["retryStrategy"]>;

const isObject = (value: unknown) => typeof value === "object" && value !== null;
const isObjectOrFunction = (value: unknown) => isObject(value) || typeof value === "function";

const timeoutMs = z.number().int().min(1).max(600_000);
const maxRetries = z.number().int().min(0).max(10);

/** How to reach an OpenAI-compatible API (OpenAI, Azure OpenAI v1, Ollama, vLLM, LM Studio). */
const openAiSectionSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    /** Default `https://api.openai.com/v1`. */
    baseURL: z.url().optional(),
    /** Chat model. Default `gpt-4o-mini`. */
    model: z.string().min(1).optional(),
    /** Default `text-embedding-3-small`. */
    embeddingModel: z.string().min(1).optional(),
    /** Sent as `dimensions`; every vector must have this size. Default 1024. */
    embeddingDimensions: z.number().int().min(1).max(16_000).optional(),
    /** Per HTTP attempt. Default 60,000. */
    timeoutMs: timeoutMs.optional(),
    /** SDK retries of throttled / 5xx / failed calls. Default 2. */
    maxRetries: maxRetries.optional(),
  })
  .strict();

/** How to reach the Anthropic Messages API. */
const anthropicSectionSchema = z
  .object({
    apiKey: z.string().min(1).optional(),
    /** Default `https://api.anthropic.com`. */
    baseURL: z.url().optional(),
    /** Default `claude-haiku-4-5`. */
    model: z.string().min(1).optional(),
    timeoutMs: timeoutMs.optional(),
    maxRetries: maxRetries.optional(),
  })
  .strict();

/** Zod schema of {@link ProviderConfig}. */
export const providerConfigSchema = z.object({
  /**
   * The primary provider: chat, and embeddings unless `embeddingProvider` says otherwise. When
   * omitted: the first of `fallback`, else `bedrock` if a region, endpoint or credentials are given, else `local`.
   */
  provider: z.enum(MODEL_PROVIDERS).optional(),
  /** Who embeds (one embedder for every bot: it is never part of the fallback chain). Default: `provider` (anthropic has none). */
  embeddingProvider: z.enum(EMBEDDING_PROVIDERS).optional(),
  /** The chat fallback chain, in order (`LLM_FALLBACK`). Default: `provider` alone. */
  fallback: z
    .array(z.enum(MODEL_PROVIDERS))
    .min(1)
    .refine((list) => new Set(list).size === list.length, "names a provider twice")
    .optional(),
  /** A provider of the chain that has not started answering in this time is left for the next. Default 30,000 ms. */
  fallbackTimeoutMs: timeoutMs.optional(),
  /** OpenAI-compatible API; configures the `openai` provider. */
  openai: openAiSectionSchema.optional(),
  /** Anthropic API; configures the `anthropic` provider. */
  anthropic: anthropicSectionSchema.optional(),
  region: z.string().min(1).optional(),
  endpoint: z.url().optional(),
  /** Bedrock chat model id. Default `anthropic.claude-haiku-4-5-20251001-v1:0`. */
  model: z.string().min(1).optional(),
  /** Embedding model id. Default `amazon.titan-embed-text-v2:0` (Bedrock). */
  embeddingModel: z.string().min(1).optional(),
  /** Vector size of the Bedrock and local embedders. Default 1024 (OpenAI's: `openai.embeddingDimensions`). */
  embeddingDimensions: z.union([z.literal(256), z.literal(512), z.literal(1024)]).optional(),
  credentials: z
    .custom<BedrockCredentials>(isObjectOrFunction, "credentials must be an object or a provider function")
    .optional(),
  requestHandler: z.custom<BedrockRequestHandler>(isObjectOrFunction, "requestHandler must be an object").optional(),
  /** Attempts per Bedrock call including the first. Default 3. */
  maxAttempts: z.number().int().min(1).max(10).optional(),
  retryStrategy: z.custom<BedrockRetryStrategy>(isObject, "retryStrategy must be an object").optional(),
  authSchemePreference: z.array(z.string()).optional(),
  /** Concurrent Titan calls when embedding a batch. Default 4. */
  embeddingConcurrency: z.number().int().min(1).max(64).optional(),
});

/** Which model providers to use and how to reach them. Passed in by the caller; never read from the environment here. */
export type ProviderConfig = z.input<typeof providerConfigSchema>;

const envSchema = z.object({
  LLM_PROVIDER: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum([...MODEL_PROVIDERS, ""], { message: `LLM_PROVIDER must be one of ${MODEL_PROVIDERS.join(", ")}` }))
    .optional(),
  LLM_FALLBACK: z.string().optional(),
  LLM_FALLBACK_TIMEOUT_MS: z.string().optional(),
  EMBEDDING_PROVIDER: z.string().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().optional(),
  OPENAI_MODEL: z.string().optional(),
  OPENAI_EMBEDDING_MODEL: z.string().optional(),
  OPENAI_EMBEDDING_DIMENSIONS: z.string().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.string().optional(),
  ANTHROPIC_MODEL: z.string().optional(),
  BEDROCK_MODEL: z.string().optional(),
  BEDROCK_EMBEDDING_MODEL: z.string().optional(),
  AWS_REGION: z.string().optional(),
  AWS_DEFAULT_REGION: z.string().optional(),
  BEDROCK_ENDPOINT: z.string().optional(),
});

const AWS_CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_BEARER_TOKEN_BEDROCK",
];

/** An invalid provider configuration; the message lists every bad field. */
export class ProviderConfigError extends Error {
  override readonly name = "ProviderConfigError";
  readonly code = "INVALID_PROVIDER_CONFIG";
}

/** Parses with a schema, turning a ZodError into a readable {@link ProviderConfigError}. */
export function parseProviderConfig<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new ProviderConfigError(`invalid provider configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const nonEmpty = (value: string | undefined) => (value !== undefined && value.trim() !== "" ? value.trim() : undefined);

/**
 * Maps environment variables to a {@link ProviderConfig}: `LLM_PROVIDER` (`bedrock` | `anthropic`
 * | `openai` | `local`), `LLM_FALLBACK` (comma list), `LLM_FALLBACK_TIMEOUT_MS`,
 * `EMBEDDING_PROVIDER`, `BEDROCK_MODEL`, `BEDROCK_EMBEDDING_MODEL`, `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`), `BEDROCK_ENDPOINT`, `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`,
 * `OPENAI_EMBEDDING_MODEL`, `OPENAI_EMBEDDING_DIMENSIONS`, `ANTHROPIC_API_KEY`,
 * `ANTHROPIC_BASE_URL`, `ANTHROPIC_MODEL` (the server's settings). Without `LLM_PROVIDER` the
 * provider is the chain's first, else `bedrock` when a region or AWS credentials variable is
 * present, otherwise `local`. A pure function of `env`: call it once at
 * the edge with `process.env`. Throws a {@link ProviderConfigError} on an invalid value.
 *
 * @example
 * const providers = createProviders(providerConfigFromEnv(process.env));
 */
export function providerConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ProviderConfig {
  const parsed = parseProviderConfig(envSchema, env);
  const region = nonEmpty(parsed.AWS_REGION) ?? nonEmpty(parsed.AWS_DEFAULT_REGION);
  const hasAwsCredentials = AWS_CREDENTIAL_VARIABLES.some((name) => nonEmpty(env[name]) !== undefined);
  const fallback = nonEmpty(parsed.LLM_FALLBACK)
    ?.split(",")
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== "");
  const provider =
    parsed.LLM_PROVIDER !== undefined && parsed.LLM_PROVIDER !== ""
      ? parsed.LLM_PROVIDER
      : (fallback?.[0] ?? (region !== undefined || hasAwsCredentials ? "bedrock" : "local"));
  const endpoint = nonEmpty(parsed.BEDROCK_ENDPOINT);
  const model = nonEmpty(parsed.BEDROCK_MODEL);
  const embeddingModel = nonEmpty(parsed.BEDROCK_EMBEDDING_MODEL);
  return parseProviderConfig(providerConfigSchema, {
    provider,
    ...(region !== undefined ? { region } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(embeddingModel !== undefined ? { embeddingModel } : {}),
    ...(fallback !== undefined && fallback.length > 0 ? { fallback } : {}),
    ...numberFrom("fallbackTimeoutMs", parsed.LLM_FALLBACK_TIMEOUT_MS),
    ...(nonEmpty(parsed.EMBEDDING_PROVIDER) !== undefined
      ? { embeddingProvider: nonEmpty(parsed.EMBEDDING_PROVIDER)?.toLowerCase() }
      : {}),
    ...section("openai", {
      apiKey: nonEmpty(parsed.OPENAI_API_KEY),
      baseURL: nonEmpty(parsed.OPENAI_BASE_URL),
      model: nonEmpty(parsed.OPENAI_MODEL),
      embeddingModel: nonEmpty(parsed.OPENAI_EMBEDDING_MODEL),
      ...numberFrom("embeddingDimensions", parsed.OPENAI_EMBEDDING_DIMENSIONS),
    }),
    ...section("anthropic", {
      apiKey: nonEmpty(parsed.ANTHROPIC_API_KEY),
      baseURL: nonEmpty(parsed.ANTHROPIC_BASE_URL),
      model: nonEmpty(parsed.ANTHROPIC_MODEL),
    }),
  });
}

/** `{[key]: number}` from a numeric variable (left to the schema to refuse when not a number). */
function numberFrom(key: string, raw: string | undefined): Record<string, number> {
  const value = nonEmpty(raw);
  return value === undefined ? {} : { [key]: Number(value) };
}

/** A provider's section, present only when its key or base URL is set (that is what configures it). */
function section(name: string, fields: Record<string, unknown>): Record<string, Record<string, unknown>> {
  if (fields.apiKey === undefined && fields.baseURL === undefined) return {};
  return { [name]: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
}
