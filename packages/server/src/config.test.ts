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

  it("requires a region for Bedrock", () => {
    expect(() => loadConfig({ LLM_PROVIDER: "bedrock" })).toThrow(/AWS_REGION/);
  });
});
