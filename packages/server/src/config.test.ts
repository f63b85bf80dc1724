import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  it("applies documented defaults to an empty environment", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      dataDir: "./.portflow",
      port: 8001,
      logLevel: "info",
      llm: { provider: "local", bedrockModel: "anthropic.claude-haiku-4-5-20251001-v1:0" },
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config).toMatchObject({ runLeaseMs: 60_000, databaseConnectTimeoutMs: 5_000, redisTimeoutMs: 500 });
    expect(config.databasePreparedStatements).toBe(true);
    expect(config.parsing).toEqual({
      maxUncompressedBytes: 64 * 1024 * 1024,
      maxDocxXmlBytes: 8 * 1024 * 1024,
      memoryMb: 512,
      timeoutMs: 60_000,
      concurrency: 1,
    });
  });

  it("reads the parsing limits and refuses a parse heap too small to start a worker", () => {
    const config = loadConfig({
      PORTFLOW_MAX_UNCOMPRESSED_BYTES: "1000",
      PORTFLOW_MAX_DOCX_XML_BYTES: "500",
      PORTFLOW_PARSE_MEMORY_MB: "256",
      PORTFLOW_PARSE_TIMEOUT_MS: "5000",
      PORTFLOW_PARSE_CONCURRENCY: "2",
    });
    expect(config.parsing).toEqual({
      maxUncompressedBytes: 1000,
      maxDocxXmlBytes: 500,
      memoryMb: 256,
      timeoutMs: 5000,
      concurrency: 2,
    });
    expect(() => loadConfig({ PORTFLOW_PARSE_MEMORY_MB: "8" })).toThrow(/PORTFLOW_PARSE_MEMORY_MB/);
  });

  it("switches prepared statements off with PORTFLOW_PG_PREPARED_STATEMENTS=false and refuses anything but true/false", () => {
    expect(loadConfig({ PORTFLOW_PG_PREPARED_STATEMENTS: "false" }).databasePreparedStatements).toBe(false);
    expect(() => loadConfig({ PORTFLOW_PG_PREPARED_STATEMENTS: "no" })).toThrow(
      /PORTFLOW_PG_PREPARED_STATEMENTS.*true or false/,
    );
  });

  it("reads every variable", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://u:p@localhost:5432/db",
      PORTFLOW_DATA_DIR: "/var/lib/portflow",
      REDIS_URL: "redis://127.0.0.1:6379",
      LLM_PROVIDER: "bedrock",
      BEDROCK_MODEL: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      BEDROCK_EMBEDDING_MODEL: "amazon.titan-embed-text-v2:1",
      BEDROCK_ENDPOINT: "http://127.0.0.1:4010",
      AWS_REGION: "eu-west-1",
      HOST: "127.0.0.1",
      PORT: "9000",
      LOG_LEVEL: "debug",
      PORTFLOW_ADMIN_KEY: "pf_0123456789abcdef0123",
      PORTFLOW_MAX_UPLOAD_BYTES: "1024",
      PORTFLOW_RATE_LIMIT_MAX: "7",
      PORTFLOW_CHAT_RATE_LIMIT_MAX: "5",
      PORTFLOW_RATE_LIMIT_WINDOW_MS: "1000",
      PORTFLOW_SESSION_TURNS: "3",
      PORTFLOW_SESSION_TTL_SECONDS: "120",
      PORTFLOW_SHUTDOWN_GRACE_MS: "2500",
    });
    expect(config).toMatchObject({
      databaseUrl: "postgres://u:p@localhost:5432/db",
      dataDir: "/var/lib/portflow",
      redisUrl: "redis://127.0.0.1:6379",
      llm: {
        provider: "bedrock",
        bedrockModel: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        bedrockEmbeddingModel: "amazon.titan-embed-text-v2:1",
        bedrockEndpoint: "http://127.0.0.1:4010",
        awsRegion: "eu-west-1",
      },
      host: "127.0.0.1",
      port: 9000,
      logLevel: "debug",
      adminKey: "pf_0123456789abcdef0123",
      maxUploadBytes: 1024,
      rateLimit: { max: 7, chatMax: 5, windowMs: 1000 },
      session: { maxTurns: 3, ttlSeconds: 120 },
      shutdownGraceMs: 2500,
    });
    // AWS_DEFAULT_REGION is the fallback when AWS_REGION is unset
    expect(loadConfig({ AWS_DEFAULT_REGION: "us-west-2" }).llm.awsRegion).toBe("us-west-2");
  });

  it("names every bad variable and never echoes the admin key", () => {
    let error: unknown;
    try {
      loadConfig({ PORT: "eighty", LOG_LEVEL: "loud", PORTFLOW_ADMIN_KEY: "secret", REDIS_URL: "http://x" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ["PORT", "LOG_LEVEL", "PORTFLOW_ADMIN_KEY", "REDIS_URL"]) expect(message).toContain(name);
    expect(message).toContain('"eighty"');
    expect(message).not.toContain("secret");
  });

  it("derives a stable instance id from host, database and port, and takes PORTFLOW_INSTANCE_ID over it", () => {
    const env = { DATABASE_URL: "postgres://u:secret@db.internal:5432/portflow", PORT: "8001" };
    const first = loadConfig(env).instanceId;
    expect(first).toMatch(/^[A-Za-z0-9._-]+-[0-9a-f]{12}$/);
    expect(loadConfig(env).instanceId).toBe(first);
    expect(loadConfig({ ...env, DATABASE_URL: "postgres://u:other@db.internal:5432/portflow" }).instanceId).toBe(first);
    expect(loadConfig({ ...env, PORT: "8002" }).instanceId).not.toBe(first);
    expect(loadConfig({ ...env, DATABASE_URL: "postgres://u:secret@db.internal:5432/other" }).instanceId).not.toBe(
      first,
    );
    expect(loadConfig({ ...env, PORT: "0" }).instanceId).toBeUndefined();
    expect(loadConfig({ ...env, PORTFLOW_INSTANCE_ID: "web-1" }).instanceId).toBe("web-1");
    expect(() => loadConfig({ PORTFLOW_INSTANCE_ID: "a/b" })).toThrow(/PORTFLOW_INSTANCE_ID/);
  });

  it("reads PORTFLOW_TRUST_PROXY as Fastify's trustProxy: off by default, true, a hop count or addresses", () => {
    const trust = (value?: string) => loadConfig(value === undefined ? {} : { PORTFLOW_TRUST_PROXY: value }).trustProxy;
    expect(trust()).toBe(false);
    expect(trust("false")).toBe(false);
    expect(trust("TRUE")).toBe(true);
    expect(trust("2")).toBe(2);
    expect(trust("0")).toBe(false);
    expect(trust("127.0.0.1, 10.0.0.0/8,::1,fd00::/8,loopback")).toEqual([
      "127.0.0.1",
      "10.0.0.0/8",
      "::1",
      "fd00::/8",
      "loopback",
    ]);
    expect(() => trust("10.0.0.0/8,proxy.example")).toThrow(
      /PORTFLOW_TRUST_PROXY: must be true, false, a hop count or a comma list of addresses\/CIDRs; "proxy.example" is none of these/,
    );
    expect(() => trust("10.0.0.0/33")).toThrow(/PORTFLOW_TRUST_PROXY: .*"10.0.0.0\/33"/);
  });

  it("executes runs inline by default; queue mode needs REDIS_URL and DATABASE_URL, naming each missing one", () => {
    expect(loadConfig({}).execution).toEqual({ mode: "inline", lockMs: 30_000 });
    const queue = loadConfig({
      PORTFLOW_EXECUTION: "queue",
      PORTFLOW_QUEUE_LOCK_MS: "2000",
      REDIS_URL: "redis://127.0.0.1:6379",
      DATABASE_URL: "postgres://u@127.0.0.1/db",
    });
    expect(queue.execution).toEqual({ mode: "queue", lockMs: 2_000 });
    expect(() => loadConfig({ PORTFLOW_EXECUTION: "queue" })).toThrow(/REDIS_URL[\s\S]*DATABASE_URL/);
    expect(() => loadConfig({ PORTFLOW_EXECUTION: "sideways" })).toThrow(/PORTFLOW_EXECUTION/);
  });

  it("reads the HNSW policy settings with documented defaults and names a bad one", () => {
    expect(loadConfig({}).hnsw).toEqual({
      minChunks: 10_000,
      efSearch: 100,
      candidateFactor: 10,
      minRecall: 0.95,
      maxEfSearch: 1_000,
    });
    expect(
      loadConfig({
        PORTFLOW_HNSW_MIN_CHUNKS: "0",
        PORTFLOW_HNSW_EF_SEARCH: "400",
        PORTFLOW_HNSW_CANDIDATE_FACTOR: "40",
        PORTFLOW_HNSW_MIN_RECALL: "0.9",
        PORTFLOW_HNSW_MAX_EF_SEARCH: "800",
      }).hnsw,
    ).toEqual({ minChunks: 0, efSearch: 400, candidateFactor: 40, minRecall: 0.9, maxEfSearch: 800 });
    const bad = () =>
      loadConfig({
        PORTFLOW_HNSW_MIN_CHUNKS: "-1",
        PORTFLOW_HNSW_EF_SEARCH: "5000",
        PORTFLOW_HNSW_CANDIDATE_FACTOR: "x",
        PORTFLOW_HNSW_MIN_RECALL: "1.5",
      });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORTFLOW_HNSW_MIN_CHUNKS:.*"-1"/);
    expect(bad).toThrow(/PORTFLOW_HNSW_EF_SEARCH:.*"5000"/);
    expect(bad).toThrow(/PORTFLOW_HNSW_CANDIDATE_FACTOR:.*"x"/);
    expect(bad).toThrow(/PORTFLOW_HNSW_MIN_RECALL:.*"1.5"/);
    expect(() => loadConfig({ PORTFLOW_HNSW_EF_SEARCH: "400", PORTFLOW_HNSW_MAX_EF_SEARCH: "200" })).toThrow(
      /PORTFLOW_HNSW_MAX_EF_SEARCH: must be at least PORTFLOW_HNSW_EF_SEARCH \(400\), got 200/,
    );
  });

  it("requires a region for Bedrock", () => {
    expect(() => loadConfig({ LLM_PROVIDER: "bedrock" })).toThrow(/AWS_REGION/);
  });
});

describe("loadConfig: secrets and http-request limits", () => {
  it("reads PORTFLOW_SECRET_KEY (base64 or hex), PORTFLOW_HTTP_ALLOW and the response cap", () => {
    const key = Buffer.alloc(32, 7);
    const config = loadConfig({
      PORTFLOW_SECRET_KEY: key.toString("base64"),
      PORTFLOW_HTTP_ALLOW: " 127.0.0.1:8080, api.internal ,10.0.0.0/8",
      PORTFLOW_HTTP_MAX_RESPONSE_BYTES: "2048",
    });
    expect(config.secretKey?.equals(key)).toBe(true);
    expect(loadConfig({ PORTFLOW_SECRET_KEY: key.toString("hex") }).secretKey?.equals(key)).toBe(true);
    expect(config.http).toEqual({ allow: ["127.0.0.1:8080", "api.internal", "10.0.0.0/8"], maxResponseBytes: 2048 });
    expect(loadConfig({}).http).toEqual({ allow: [], maxResponseBytes: 10 * 1024 * 1024 });
    expect(loadConfig({}).secretKey).toBeUndefined();
  });

  it("refuses a malformed key without echoing it, and a malformed allow-list entry naming it", () => {
    const short = Buffer.alloc(16, 1).toString("base64");
    try {
      loadConfig({ PORTFLOW_SECRET_KEY: short });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("PORTFLOW_SECRET_KEY: must be 32 bytes");
      expect((error as Error).message).not.toContain(short);
    }
    expect(() => loadConfig({ PORTFLOW_HTTP_ALLOW: "ok.example,not a host" })).toThrow(
      /PORTFLOW_HTTP_ALLOW: "not a host": must be a host/,
    );
  });

  it("reads the sandbox limits, warm-up mode and chat file count, and refuses a default above its maximum", () => {
    expect(loadConfig({})).toMatchObject({
      sandbox: {
        defaults: { time_ms: 5_000, memory_mb: 64 },
        maxima: { time_ms: 30_000, memory_mb: 256 },
        warm: "auto",
      },
      chatMaxFiles: 5,
    });
    const config = loadConfig({
      PORTFLOW_SANDBOX_TIME_MS: "2000",
      PORTFLOW_SANDBOX_MEMORY_MB: "32",
      PORTFLOW_SANDBOX_MAX_TIME_MS: "10000",
      PORTFLOW_SANDBOX_MAX_MEMORY_MB: "128",
      PORTFLOW_SANDBOX_WARM: "Always",
      PORTFLOW_CHAT_MAX_FILES: "2",
    });
    expect(config.sandbox).toEqual({
      defaults: { time_ms: 2_000, memory_mb: 32 },
      maxima: { time_ms: 10_000, memory_mb: 128 },
      warm: "always",
    });
    expect(config.chatMaxFiles).toBe(2);
    expect(() => loadConfig({ PORTFLOW_SANDBOX_TIME_MS: "40000" })).toThrow(
      /PORTFLOW_SANDBOX_TIME_MS: 40000 is more than PORTFLOW_SANDBOX_MAX_TIME_MS \(30000\)/,
    );
    expect(() => loadConfig({ PORTFLOW_SANDBOX_MAX_MEMORY_MB: "4" })).toThrow(/PORTFLOW_SANDBOX_MAX_MEMORY_MB/);
    expect(() => loadConfig({ PORTFLOW_SANDBOX_WARM: "sometimes" })).toThrow(/PORTFLOW_SANDBOX_WARM/);
  });
});

describe("loadConfig: OpenAI, Anthropic and the fallback chain", () => {
  it("configures openai and anthropic from their keys and base URLs, with documented model defaults", () => {
    const config = loadConfig({
      OPENAI_API_KEY: "sk-1",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      ANTHROPIC_API_KEY: "sk-ant-1",
    });
    expect(config.llm).toMatchObject({
      provider: "local",
      fallbackTimeoutMs: 30_000,
      openai: {
        apiKey: "sk-1",
        baseURL: "http://127.0.0.1:11434/v1",
        model: "gpt-4o-mini",
        embeddingModel: "text-embedding-3-small",
        embeddingDimensions: 1024,
      },
      anthropic: { apiKey: "sk-ant-1", model: "claude-haiku-4-5" },
    });
    expect(loadConfig({}).llm.openai).toBeUndefined();
    expect(loadConfig({}).llm.anthropic).toBeUndefined();
  });

  it("reads LLM_FALLBACK in order; its first provider is the primary unless LLM_PROVIDER says otherwise", () => {
    const env = {
      LLM_FALLBACK: " Bedrock, anthropic ,openai",
      AWS_REGION: "us-east-1",
      ANTHROPIC_API_KEY: "k",
      OPENAI_API_KEY: "k",
      LLM_FALLBACK_TIMEOUT_MS: "5000",
    };
    expect(loadConfig(env).llm).toMatchObject({
      provider: "bedrock",
      fallback: ["bedrock", "anthropic", "openai"],
      fallbackTimeoutMs: 5000,
    });
    expect(loadConfig({ ...env, LLM_FALLBACK: "anthropic,openai", EMBEDDING_PROVIDER: "openai" }).llm).toMatchObject({
      provider: "anthropic",
      embeddingProvider: "openai",
    });
  });

  it("refuses a chain naming an unknown provider, or one twice", () => {
    expect(() => loadConfig({ LLM_FALLBACK: "bedrock,mistral" })).toThrow(/LLM_FALLBACK: "mistral" is not one of/);
    expect(() => loadConfig({ LLM_FALLBACK: "local,local" })).toThrow(/LLM_FALLBACK: names a provider twice/);
  });

  it("names the missing variable when a provider is used but not configured", () => {
    expect(() => loadConfig({ LLM_PROVIDER: "openai" })).toThrow(
      /OPENAI_API_KEY: or OPENAI_BASE_URL is required when LLM_PROVIDER=openai/,
    );
    expect(() => loadConfig({ LLM_FALLBACK: "local,anthropic" })).toThrow(
      /ANTHROPIC_API_KEY: or ANTHROPIC_BASE_URL is required when LLM_FALLBACK names anthropic/,
    );
    expect(() => loadConfig({ LLM_PROVIDER: "anthropic", ANTHROPIC_API_KEY: "k" })).toThrow(
      /EMBEDDING_PROVIDER: is required when LLM_PROVIDER=anthropic \(Anthropic has no embeddings\)/,
    );
    expect(() => loadConfig({ LLM_FALLBACK: "local,bedrock" })).toThrow(
      /AWS_REGION: is required when LLM_FALLBACK names bedrock/,
    );
    expect(() => loadConfig({ EMBEDDING_PROVIDER: "anthropic" })).toThrow(/EMBEDDING_PROVIDER/);
  });

  it("refuses a pasted key with a line break without showing it, and a bad base URL", () => {
    try {
      loadConfig({ OPENAI_API_KEY: "sk-secret-value\n", ANTHROPIC_BASE_URL: "not a url" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/OPENAI_API_KEY: must be one token/);
      expect((error as Error).message).toMatch(/ANTHROPIC_BASE_URL: .*\(got "not a url"\)/);
      expect((error as Error).message).not.toContain("sk-secret-value");
    }
  });
});
