/**
 * Server configuration, read once from the environment at the edge and validated with zod.
 * @module
 */
import { hostname } from "node:os";
import {
  allowEntryProblem,
  DEFAULT_MAX_RESPONSE_BYTES,
  DEFAULT_SANDBOX_LIMITS,
  EMBEDDING_PROVIDERS,
  type EmbeddingProvider,
  MAX_SANDBOX_LIMITS,
  MODEL_PROVIDERS,
  type ModelProvider,
  type SandboxLimits,
} from "@portflow/nodes/settings";
import { DEFAULT_HNSW_POLICY, parseSecretKey } from "@portflow/storage";
import { z } from "zod";
import { defaultInstanceId } from "./instance-id.ts";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false"], { message: "must be true or false" })
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true");

/** An address or CIDR Fastify's `trustProxy` (proxy-addr) accepts, or one of its named ranges. */
const trustedProxyEntry = z.union([
  z.ipv4(),
  z.ipv6(),
  z.cidrv4(),
  z.cidrv6(),
  z.enum(["loopback", "linklocal", "uniquelocal"]),
]);

/** Which proxies may set X-Forwarded-For: none (default), all (`true`), a hop count, or these addresses. */
export type TrustProxySetting = boolean | number | readonly string[];

const trustProxySchema = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxySetting => {
    const value = (raw ?? "").trim();
    if (value === "" || value.toLowerCase() === "false") return false;
    if (value.toLowerCase() === "true") return true;
    // a hop count; 0 hops trusts no proxy
    if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
    const entries = value.split(",").map((entry) => entry.trim());
    const bad = entries.find((entry) => !trustedProxyEntry.safeParse(entry).success);
    if (bad === undefined) return Object.freeze(entries);
    ctx.addIssue({
      code: "custom",
      message: `must be true, false, a hop count or a comma list of addresses/CIDRs; ${JSON.stringify(bad)} is none of these`,
    });
    return z.NEVER;
  });

/** `PORTFLOW_SECRET_KEY`: 32 bytes, base64 or hex. */
const secretKeySchema = z
  .string()
  .optional()
  .transform((raw, ctx): Buffer | undefined => {
    if (raw === undefined) return undefined;
    try {
      return parseSecretKey(raw);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });

/** `PORTFLOW_HTTP_ALLOW`: a comma list of hosts, host:port or CIDRs http-request may reach despite the SSRF rule. */
const httpAllowSchema = z
  .string()
  .optional()
  .transform((raw, ctx): readonly string[] => {
    const entries = (raw ?? "")
      .split(",")
      .map((e) => e.trim())
      .filter((e) => e !== "");
    for (const entry of entries) {
      const problem = allowEntryProblem(entry);
      if (problem !== undefined) {
        ctx.addIssue({ code: "custom", message: `${JSON.stringify(entry)}: ${problem}` });
        return z.NEVER;
      }
    }
    return Object.freeze(entries);
  });

/** When the sandboxes load: `auto` (Python only when a published workflow has Python code), `always`, `never` (on first use). */
export const SANDBOX_WARM_MODES = ["auto", "always", "never"] as const;
export type SandboxWarmMode = (typeof SANDBOX_WARM_MODES)[number];

// The bounds `resolveSandboxLimits` accepts for server-set limits.
const sandboxTimeMs = (fallback: number) => z.coerce.number().int().min(1).max(600_000).default(fallback);
const sandboxMemoryMb = (fallback: number) => z.coerce.number().int().min(8).max(4_096).default(fallback);
/** `LLM_FALLBACK`: a comma list of chat providers, tried in order. */
const fallbackSchema = z
  .string()
  .optional()
  .transform((raw, ctx): readonly ModelProvider[] | undefined => {
    const entries = (raw ?? "")
      .split(",")
      .map((e) => e.trim().toLowerCase())
      .filter((e) => e !== "");
    if (entries.length === 0) return undefined;
    const bad = entries.find((e) => !(MODEL_PROVIDERS as readonly string[]).includes(e));
    if (bad !== undefined) {
      ctx.addIssue({ code: "custom", message: `${JSON.stringify(bad)} is not one of ${MODEL_PROVIDERS.join(", ")}` });
      return z.NEVER;
    }
    if (new Set(entries).size !== entries.length) {
      ctx.addIssue({ code: "custom", message: "names a provider twice" });
      return z.NEVER;
    }
    return Object.freeze(entries as ModelProvider[]);
  });

/** A provider API key: one token (a pasted key with a line break or a space is a mistake). */
const apiKeySchema = z
  .string()
  .regex(/^\S+$/, "must be one token, without spaces or line breaks (the value is not shown)")
  .optional();

const lowerCase = (v: unknown) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v);

const envSchema = z.object({
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
  ),
  PORTFLOW_DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default("./.portflow")),
  REDIS_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
      .optional(),
  ),
  LLM_PROVIDER: z.preprocess(lowerCase, z.enum(MODEL_PROVIDERS).optional()),
  LLM_FALLBACK: z.preprocess(emptyAsUndefined, fallbackSchema),
  LLM_FALLBACK_TIMEOUT_MS: z.preprocess(emptyAsUndefined, positiveInt(30_000)),
  EMBEDDING_PROVIDER: z.preprocess(lowerCase, z.enum(EMBEDDING_PROVIDERS).optional()),
  OPENAI_API_KEY: z.preprocess(emptyAsUndefined, apiKeySchema),
  OPENAI_BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  OPENAI_MODEL: z.preprocess(emptyAsUndefined, z.string().default("gpt-4o-mini")),
  OPENAI_EMBEDDING_MODEL: z.preprocess(emptyAsUndefined, z.string().default("text-embedding-3-small")),
  OPENAI_EMBEDDING_DIMENSIONS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(16_000).default(1024)),
  ANTHROPIC_API_KEY: z.preprocess(emptyAsUndefined, apiKeySchema),
  ANTHROPIC_BASE_URL: z.preprocess(emptyAsUndefined, z.url().optional()),
  ANTHROPIC_MODEL: z.preprocess(emptyAsUndefined, z.string().default("claude-haiku-4-5")),
  BEDROCK_MODEL: z.preprocess(emptyAsUndefined, z.string().default("anthropic.claude-haiku-4-5-20251001-v1:0")),
  BEDROCK_EMBEDDING_MODEL: z.preprocess(emptyAsUndefined, z.string().default("amazon.titan-embed-text-v2:0")),
  BEDROCK_ENDPOINT: z.preprocess(emptyAsUndefined, z.url().optional()),
  AWS_REGION: z.preprocess(emptyAsUndefined, z.string().optional()),
  AWS_DEFAULT_REGION: z.preprocess(emptyAsUndefined, z.string().optional()),
  HOST: z.preprocess(emptyAsUndefined, z.string().default("0.0.0.0")),
  PORT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65_535).default(8001)),
  LOG_LEVEL: z.preprocess(emptyAsUndefined, z.enum(LOG_LEVELS).default("info")),
  LOG_FORMAT: z.preprocess(
    emptyAsUndefined,
    z.enum(["json", "pretty"], { message: 'LOG_FORMAT must be "json" or "pretty"' }).default("json"),
  ),
  PORTFLOW_ADMIN_KEY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^pf_[A-Za-z0-9_-]{16,}$/, "must look like pf_ followed by at least 16 letters, digits, _ or -")
      .optional(),
  ),
  PORTFLOW_MAX_UPLOAD_BYTES: z.preprocess(emptyAsUndefined, positiveInt(20 * 1024 * 1024)),
  PORTFLOW_MAX_UNCOMPRESSED_BYTES: z.preprocess(emptyAsUndefined, positiveInt(64 * 1024 * 1024)),
  PORTFLOW_MAX_DOCX_XML_BYTES: z.preprocess(emptyAsUndefined, positiveInt(8 * 1024 * 1024)),
  PORTFLOW_PARSE_MEMORY_MB: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(32).default(512)),
  PORTFLOW_PARSE_TIMEOUT_MS: z.preprocess(emptyAsUndefined, positiveInt(60_000)),
  PORTFLOW_PARSE_CONCURRENCY: z.preprocess(emptyAsUndefined, positiveInt(1)),
  PORTFLOW_RATE_LIMIT_MAX: z.preprocess(emptyAsUndefined, positiveInt(300)),
  PORTFLOW_CHAT_RATE_LIMIT_MAX: z.preprocess(emptyAsUndefined, positiveInt(60)),
  PORTFLOW_RATE_LIMIT_WINDOW_MS: z.preprocess(emptyAsUndefined, positiveInt(60_000)),
  PORTFLOW_SESSION_TURNS: z.preprocess(emptyAsUndefined, positiveInt(10)),
  PORTFLOW_SESSION_TTL_SECONDS: z.preprocess(emptyAsUndefined, positiveInt(24 * 60 * 60)),
  PORTFLOW_SHUTDOWN_GRACE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).default(10_000)),
  PORTFLOW_INSTANCE_ID: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._:@-]{1,128}$/, "must be 1-128 letters, digits or . _ : @ - (no /)")
      .optional(),
  ),
  PORTFLOW_RUN_LEASE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1_000).default(60_000)),
  PORTFLOW_DB_CONNECT_TIMEOUT_MS: z.preprocess(emptyAsUndefined, positiveInt(5_000)),
  PORTFLOW_PG_PREPARED_STATEMENTS: z.preprocess(emptyAsUndefined, flag(true)),
  PORTFLOW_REDIS_TIMEOUT_MS: z.preprocess(emptyAsUndefined, positiveInt(500)),
  PORTFLOW_TRUST_PROXY: trustProxySchema,
  PORTFLOW_SECRET_KEY: z.preprocess(emptyAsUndefined, secretKeySchema),
  PORTFLOW_HTTP_ALLOW: z.preprocess(emptyAsUndefined, httpAllowSchema),
  PORTFLOW_HTTP_MAX_RESPONSE_BYTES: z.preprocess(emptyAsUndefined, positiveInt(DEFAULT_MAX_RESPONSE_BYTES)),
  PORTFLOW_SANDBOX_TIME_MS: z.preprocess(emptyAsUndefined, sandboxTimeMs(DEFAULT_SANDBOX_LIMITS.time_ms)),
  PORTFLOW_SANDBOX_MEMORY_MB: z.preprocess(emptyAsUndefined, sandboxMemoryMb(DEFAULT_SANDBOX_LIMITS.memory_mb)),
  PORTFLOW_SANDBOX_MAX_TIME_MS: z.preprocess(emptyAsUndefined, sandboxTimeMs(MAX_SANDBOX_LIMITS.time_ms)),
  PORTFLOW_SANDBOX_MAX_MEMORY_MB: z.preprocess(emptyAsUndefined, sandboxMemoryMb(MAX_SANDBOX_LIMITS.memory_mb)),
  PORTFLOW_SANDBOX_WARM: z.preprocess(
    (v) => (typeof v === "string" ? emptyAsUndefined(v.trim().toLowerCase()) : v),
    z.enum(SANDBOX_WARM_MODES).default("auto"),
  ),
  PORTFLOW_CHAT_MAX_FILES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(20).default(5)),
  PORTFLOW_EXECUTION: z.preprocess(emptyAsUndefined, z.enum(["inline", "queue"]).default("inline")),
  PORTFLOW_QUEUE_LOCK_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1_000).default(30_000)),
  PORTFLOW_HNSW_MIN_CHUNKS: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(0).max(1_000_000_000).default(DEFAULT_HNSW_POLICY.minChunks),
  ),
  PORTFLOW_HNSW_EF_SEARCH: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1_000).default(DEFAULT_HNSW_POLICY.efSearch),
  ),
  PORTFLOW_HNSW_CANDIDATE_FACTOR: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(100).default(DEFAULT_HNSW_POLICY.candidateFactor),
  ),
  PORTFLOW_HNSW_MIN_RECALL: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().min(0).max(1).default(DEFAULT_HNSW_POLICY.minRecall),
  ),
  PORTFLOW_HNSW_MAX_EF_SEARCH: z.preprocess(
    emptyAsUndefined,
    z.coerce.number().int().min(1).max(1_000).default(DEFAULT_HNSW_POLICY.maxEfSearch),
  ),
});

/** Requests per window for one API key in one route group. */
export interface RateLimitConfig {
  /** Default for every route group. */
  readonly max: number;
  /** `POST /api/v1/chat` (runs a model). */
  readonly chatMax: number;
  readonly windowMs: number;
}

export interface SessionConfig {
  /** Turns (a user message and the answer) kept per bot + session. */
  readonly maxTurns: number;
  readonly ttlSeconds: number;
}

export interface LlmConfig {
  /** The primary provider (`LLM_PROVIDER`; default: the chain's first, else bedrock with AWS configuration, else local). */
  readonly provider: ModelProvider;
  readonly bedrockModel: string;
  readonly bedrockEmbeddingModel: string;
  readonly awsRegion?: string;
  readonly bedrockEndpoint?: string;
  /** `LLM_FALLBACK`: chat providers tried in order; absent: `provider` alone. */
  readonly fallback?: readonly ModelProvider[];
  /** `LLM_FALLBACK_TIMEOUT_MS`: a provider of the chain not answering in this time is left for the next. */
  readonly fallbackTimeoutMs: number;
  /** `EMBEDDING_PROVIDER`; absent: `provider`. Never part of the chain. */
  readonly embeddingProvider?: EmbeddingProvider;
  /** Present when `OPENAI_API_KEY` or `OPENAI_BASE_URL` is set. */
  readonly openai?: {
    readonly apiKey?: string;
    readonly baseURL?: string;
    readonly model: string;
    readonly embeddingModel: string;
    readonly embeddingDimensions: number;
  };
  /** Present when `ANTHROPIC_API_KEY` or `ANTHROPIC_BASE_URL` is set. */
  readonly anthropic?: { readonly apiKey?: string; readonly baseURL?: string; readonly model: string };
}

/**
 * How uploads are parsed: DOCX decompression limits, checked before parsing, and the worker
 * threads parsing runs in (each with a heap cap and a time limit, `concurrency` at once).
 */
export interface ParsingConfig {
  /** All parts of a DOCX together, decompressed. */
  readonly maxUncompressedBytes: number;
  /** The XML parts of a DOCX together, decompressed (mammoth needs ~50–110× this in heap). */
  readonly maxDocxXmlBytes: number;
  /** Old-generation heap of each parse's worker thread, MiB. */
  readonly memoryMb: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
}

/** Limits of the `http-request` node. */
export interface HttpNodeConfig {
  /** Destinations opened despite the SSRF rule (`PORTFLOW_HTTP_ALLOW`). */
  readonly allow: readonly string[];
  /** Largest response body, bytes (`PORTFLOW_HTTP_MAX_RESPONSE_BYTES`, default 10 MiB). */
  readonly maxResponseBytes: number;
}

/** Limits of the `code` and `template-transform` sandboxes, and when they load. */
export interface SandboxConfig {
  /** A node without `limits` gets these (`PORTFLOW_SANDBOX_TIME_MS`, `PORTFLOW_SANDBOX_MEMORY_MB`; 5,000 ms, 64 MiB). */
  readonly defaults: SandboxLimits;
  /** A node asking for more fails validation (`PORTFLOW_SANDBOX_MAX_TIME_MS`, `PORTFLOW_SANDBOX_MAX_MEMORY_MB`; 30,000 ms, 256 MiB). */
  readonly maxima: SandboxLimits;
  /** `PORTFLOW_SANDBOX_WARM`, default `auto`. */
  readonly warm: SandboxWarmMode;
}

/** Everything the server reads from the environment. */
export interface ServerConfig {
  /** Absent: embedded PGlite under `dataDir`. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** Absent: rate limits and sessions live in memory (one process only). */
  readonly redisUrl?: string;
  readonly llm: LlmConfig;
  readonly host: string;
  readonly port: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** `json` (default): one JSON object a line; `pretty`: coloured lines for a terminal (pino-pretty). */
  readonly logFormat: "json" | "pretty";
  /** Inserted (hashed) as an admin key at start-up. */
  readonly adminKey?: string;
  readonly maxUploadBytes: number;
  readonly parsing: ParsingConfig;
  readonly rateLimit: RateLimitConfig;
  readonly session: SessionConfig;
  /** How long in-flight runs may take to finish on shutdown before they are cancelled. */
  readonly shutdownGraceMs: number;
  /**
   * Who this server is across restarts (`PORTFLOW_INSTANCE_ID`, default from hostname, database
   * and port); absent when there is no stable identity (port 0, in-memory database).
   */
  readonly instanceId?: string;
  /** A run's lease: a run not renewed this long is swept `interrupted` by any server (and the sweep period). */
  readonly runLeaseMs: number;
  /** Getting a PostgreSQL connection longer than this fails the request as database unavailable. */
  readonly databaseConnectTimeoutMs: number;
  /** Repeated PostgreSQL statements sent as named prepared statements (off for PgBouncer in transaction mode before 1.21). */
  readonly databasePreparedStatements: boolean;
  /** Connecting to Redis and each Redis command: longer counts as Redis unreachable. */
  readonly redisTimeoutMs: number;
  /** Fastify's `trustProxy`: whose X-Forwarded-For sets the client IP (rate limits, logs). Default false. */
  readonly trustProxy: TrustProxySetting;
  /** The key bot secrets are encrypted under (`PORTFLOW_SECRET_KEY`); absent: secrets cannot be stored. */
  readonly secretKey?: Buffer;
  readonly http: HttpNodeConfig;
  readonly sandbox: SandboxConfig;
  /** Files one chat message may carry into `sys.files` (`PORTFLOW_CHAT_MAX_FILES`, default 5; 0 refuses files). */
  readonly chatMaxFiles: number;
  readonly execution: ExecutionConfig;
  readonly hnsw: HnswConfig;
}

/** When a bot gets its own HNSW index and how it is searched (PostgreSQL; embedded PGlite stays exact). */
export interface HnswConfig {
  /** `PORTFLOW_HNSW_MIN_CHUNKS`: a bot reaching this many chunks gets its index built concurrently; 0 never. */
  readonly minChunks: number;
  /** `PORTFLOW_HNSW_EF_SEARCH`: `hnsw.ef_search` of searches through a bot's index. */
  readonly efSearch: number;
  /** `PORTFLOW_HNSW_CANDIDATE_FACTOR`: `topK ×` this candidates from the index, re-ranked exactly. */
  readonly candidateFactor: number;
  /**
   * `PORTFLOW_HNSW_MIN_RECALL`: the recall@5 a bot's index must show, measured once built, before
   * its searches use it (a bot whose index falls short stays exact); 0 measures nothing.
   */
  readonly minRecall: number;
  /** `PORTFLOW_HNSW_MAX_EF_SEARCH`: the highest `hnsw.ef_search` the measuring may choose for that recall. */
  readonly maxEfSearch: number;
}

/** Where submitted runs execute. */
export interface ExecutionConfig {
  /** `inline` (default): in the server process. `queue`: on `portflow worker` processes through BullMQ. */
  readonly mode: "inline" | "queue";
  /**
   * A worker's lock on a run it executes (`PORTFLOW_QUEUE_LOCK_MS`, default 30 s): a worker that
   * died is noticed after about this long, and its run is delivered to another worker.
   */
  readonly lockMs: number;
}

/** Variables whose value an error message never shows. */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([
  "PORTFLOW_ADMIN_KEY",
  "PORTFLOW_SECRET_KEY",
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
]);

/** A configuration value is missing or wrong; the message names every bad variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
  }
}

/**
 * Reads and validates the configuration. Throws ConfigError naming each bad variable.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? "environment");
        const raw = env[variable];
        const secret = SECRET_VARIABLES.has(variable);
        const shown = secret || raw === undefined ? "" : ` (got ${JSON.stringify(raw)})`;
        return { variable, message: `${issue.message}${shown}` };
      }),
    );
  }
  const e = parsed.data;
  const overMaxima = [
    [
      "PORTFLOW_SANDBOX_TIME_MS",
      e.PORTFLOW_SANDBOX_TIME_MS,
      "PORTFLOW_SANDBOX_MAX_TIME_MS",
      e.PORTFLOW_SANDBOX_MAX_TIME_MS,
    ],
    [
      "PORTFLOW_SANDBOX_MEMORY_MB",
      e.PORTFLOW_SANDBOX_MEMORY_MB,
      "PORTFLOW_SANDBOX_MAX_MEMORY_MB",
      e.PORTFLOW_SANDBOX_MAX_MEMORY_MB,
    ],
  ] as const;
  const sandboxProblems = overMaxima
    .filter(([, value, , max]) => value > max)
    .map(([variable, value, maxVariable, max]) => ({
      variable,
      message: `${value} is more than ${maxVariable} (${max}): a default cannot exceed its maximum`,
    }));
  if (sandboxProblems.length > 0) throw new ConfigError(sandboxProblems);
  const region = e.AWS_REGION ?? e.AWS_DEFAULT_REGION;
  // Without LLM_PROVIDER: the chain's first, else Bedrock when a region or endpoint is configured, else offline.
  const provider =
    e.LLM_PROVIDER ??
    e.LLM_FALLBACK?.[0] ??
    (region !== undefined || e.BEDROCK_ENDPOINT !== undefined ? "bedrock" : "local");
  const llm = llmConfig(e, provider, region);
  if (provider === "bedrock" && region === undefined && e.BEDROCK_ENDPOINT === undefined) {
    throw new ConfigError([{ variable: "AWS_REGION", message: "is required when LLM_PROVIDER=bedrock" }]);
  }
  if (e.PORTFLOW_HNSW_MAX_EF_SEARCH < e.PORTFLOW_HNSW_EF_SEARCH) {
    throw new ConfigError([
      {
        variable: "PORTFLOW_HNSW_MAX_EF_SEARCH",
        message: `must be at least PORTFLOW_HNSW_EF_SEARCH (${e.PORTFLOW_HNSW_EF_SEARCH}), got ${e.PORTFLOW_HNSW_MAX_EF_SEARCH}`,
      },
    ]);
  }
  if (e.PORTFLOW_EXECUTION === "queue") {
    const missing = [
      ...(e.REDIS_URL === undefined
        ? [{ variable: "REDIS_URL", message: "is required when PORTFLOW_EXECUTION=queue" }]
        : []),
      ...(e.DATABASE_URL === undefined
        ? [{ variable: "DATABASE_URL", message: "is required when PORTFLOW_EXECUTION=queue (workers share it)" }]
        : []),
    ];
    if (missing.length > 0) throw new ConfigError(missing);
  }
  return Object.freeze({
    ...(e.DATABASE_URL !== undefined && { databaseUrl: e.DATABASE_URL }),
    dataDir: e.PORTFLOW_DATA_DIR,
    ...(e.REDIS_URL !== undefined && { redisUrl: e.REDIS_URL }),
    llm,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    ...(e.PORTFLOW_ADMIN_KEY !== undefined && { adminKey: e.PORTFLOW_ADMIN_KEY }),
    maxUploadBytes: e.PORTFLOW_MAX_UPLOAD_BYTES,
    parsing: Object.freeze({
      maxUncompressedBytes: e.PORTFLOW_MAX_UNCOMPRESSED_BYTES,
      maxDocxXmlBytes: e.PORTFLOW_MAX_DOCX_XML_BYTES,
      memoryMb: e.PORTFLOW_PARSE_MEMORY_MB,
      timeoutMs: e.PORTFLOW_PARSE_TIMEOUT_MS,
      concurrency: e.PORTFLOW_PARSE_CONCURRENCY,
    }),
    rateLimit: Object.freeze({
      max: e.PORTFLOW_RATE_LIMIT_MAX,
      chatMax: e.PORTFLOW_CHAT_RATE_LIMIT_MAX,
      windowMs: e.PORTFLOW_RATE_LIMIT_WINDOW_MS,
    }),
    session: Object.freeze({ maxTurns: e.PORTFLOW_SESSION_TURNS, ttlSeconds: e.PORTFLOW_SESSION_TTL_SECONDS }),
    shutdownGraceMs: e.PORTFLOW_SHUTDOWN_GRACE_MS,
    ...optionalInstanceId(
      e.PORTFLOW_INSTANCE_ID ??
        defaultInstanceId({
          hostname: hostname(),
          ...(e.DATABASE_URL !== undefined && { databaseUrl: e.DATABASE_URL }),
          dataDir: e.PORTFLOW_DATA_DIR,
          port: e.PORT,
        }),
    ),
    runLeaseMs: e.PORTFLOW_RUN_LEASE_MS,
    databaseConnectTimeoutMs: e.PORTFLOW_DB_CONNECT_TIMEOUT_MS,
    databasePreparedStatements: e.PORTFLOW_PG_PREPARED_STATEMENTS,
    redisTimeoutMs: e.PORTFLOW_REDIS_TIMEOUT_MS,
    trustProxy: e.PORTFLOW_TRUST_PROXY,
    ...(e.PORTFLOW_SECRET_KEY !== undefined && { secretKey: e.PORTFLOW_SECRET_KEY }),
    http: Object.freeze({ allow: e.PORTFLOW_HTTP_ALLOW, maxResponseBytes: e.PORTFLOW_HTTP_MAX_RESPONSE_BYTES }),
    sandbox: Object.freeze({
      defaults: Object.freeze({ time_ms: e.PORTFLOW_SANDBOX_TIME_MS, memory_mb: e.PORTFLOW_SANDBOX_MEMORY_MB }),
      maxima: Object.freeze({ time_ms: e.PORTFLOW_SANDBOX_MAX_TIME_MS, memory_mb: e.PORTFLOW_SANDBOX_MAX_MEMORY_MB }),
      warm: e.PORTFLOW_SANDBOX_WARM,
    }),
    chatMaxFiles: e.PORTFLOW_CHAT_MAX_FILES,
    execution: Object.freeze({ mode: e.PORTFLOW_EXECUTION, lockMs: e.PORTFLOW_QUEUE_LOCK_MS }),
    hnsw: Object.freeze({
      minChunks: e.PORTFLOW_HNSW_MIN_CHUNKS,
      efSearch: e.PORTFLOW_HNSW_EF_SEARCH,
      candidateFactor: e.PORTFLOW_HNSW_CANDIDATE_FACTOR,
      minRecall: e.PORTFLOW_HNSW_MIN_RECALL,
      maxEfSearch: e.PORTFLOW_HNSW_MAX_EF_SEARCH,
    }),
  });
}

/** The model providers' part of the configuration; throws ConfigError for a provider used but not configured. */
function llmConfig(e: z.output<typeof envSchema>, provider: ModelProvider, region: string | undefined): LlmConfig {
  const openai =
    e.OPENAI_API_KEY !== undefined || e.OPENAI_BASE_URL !== undefined
      ? Object.freeze({
          ...(e.OPENAI_API_KEY !== undefined && { apiKey: e.OPENAI_API_KEY }),
          ...(e.OPENAI_BASE_URL !== undefined && { baseURL: e.OPENAI_BASE_URL }),
          model: e.OPENAI_MODEL,
          embeddingModel: e.OPENAI_EMBEDDING_MODEL,
          embeddingDimensions: e.OPENAI_EMBEDDING_DIMENSIONS,
        })
      : undefined;
  const anthropic =
    e.ANTHROPIC_API_KEY !== undefined || e.ANTHROPIC_BASE_URL !== undefined
      ? Object.freeze({
          ...(e.ANTHROPIC_API_KEY !== undefined && { apiKey: e.ANTHROPIC_API_KEY }),
          ...(e.ANTHROPIC_BASE_URL !== undefined && { baseURL: e.ANTHROPIC_BASE_URL }),
          model: e.ANTHROPIC_MODEL,
        })
      : undefined;
  const used = new Set<ModelProvider>([provider, ...(e.LLM_FALLBACK ?? [])]);
  if (e.EMBEDDING_PROVIDER !== undefined) used.add(e.EMBEDDING_PROVIDER);
  const problems: { variable: string; message: string }[] = [];
  const whereUsed = (p: ModelProvider) =>
    provider === p
      ? `LLM_PROVIDER=${p}`
      : e.EMBEDDING_PROVIDER === p
        ? `EMBEDDING_PROVIDER=${p}`
        : `LLM_FALLBACK names ${p}`;
  if (used.has("openai") && openai === undefined)
    problems.push({
      variable: "OPENAI_API_KEY",
      message: `or OPENAI_BASE_URL is required when ${whereUsed("openai")}`,
    });
  if (used.has("anthropic") && anthropic === undefined)
    problems.push({
      variable: "ANTHROPIC_API_KEY",
      message: `or ANTHROPIC_BASE_URL is required when ${whereUsed("anthropic")}`,
    });
  if (provider === "anthropic" && e.EMBEDDING_PROVIDER === undefined)
    problems.push({
      variable: "EMBEDDING_PROVIDER",
      message: "is required when LLM_PROVIDER=anthropic (Anthropic has no embeddings): bedrock, openai or local",
    });
  if (provider !== "bedrock" && used.has("bedrock") && region === undefined && e.BEDROCK_ENDPOINT === undefined)
    problems.push({ variable: "AWS_REGION", message: `is required when ${whereUsed("bedrock")}` });
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    provider,
    bedrockModel: e.BEDROCK_MODEL,
    bedrockEmbeddingModel: e.BEDROCK_EMBEDDING_MODEL,
    ...(region !== undefined && { awsRegion: region }),
    ...(e.BEDROCK_ENDPOINT !== undefined && { bedrockEndpoint: e.BEDROCK_ENDPOINT }),
    ...(e.LLM_FALLBACK !== undefined && { fallback: e.LLM_FALLBACK }),
    fallbackTimeoutMs: e.LLM_FALLBACK_TIMEOUT_MS,
    ...(e.EMBEDDING_PROVIDER !== undefined && { embeddingProvider: e.EMBEDDING_PROVIDER }),
    ...(openai !== undefined && { openai }),
    ...(anthropic !== undefined && { anthropic }),
  });
}

function optionalInstanceId(instanceId: string | undefined): { instanceId?: string } {
  return instanceId === undefined ? {} : { instanceId };
}
