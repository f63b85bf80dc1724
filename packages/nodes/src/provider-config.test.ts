import { describe, expect, it } from "vitest";
import { providerConfigFromEnv, providerConfigSchema } from "./provider-config.ts";

describe("providerConfigFromEnv", () => {
  it("defaults to local when nothing AWS-like is set", () => {
    expect(providerConfigFromEnv({})).toEqual({ provider: "local" });
    expect(providerConfigFromEnv({ LLM_PROVIDER: "", PATH: "/bin" })).toEqual({ provider: "local" });
  });

  it("selects bedrock when a region or AWS credentials are present", () => {
    expect(providerConfigFromEnv({ AWS_REGION: "eu-west-1" })).toEqual({ provider: "bedrock", region: "eu-west-1" });
    expect(providerConfigFromEnv({ AWS_ACCESS_KEY_ID: "AKID" })).toEqual({ provider: "bedrock" });
    expect(providerConfigFromEnv({ AWS_DEFAULT_REGION: "us-west-2" }).region).toBe("us-west-2");
  });

  it("honours LLM_PROVIDER and maps the Bedrock variables", () => {
    expect(
      providerConfigFromEnv({
        LLM_PROVIDER: "Bedrock",
        BEDROCK_MODEL: "anthropic.claude-sonnet-4-5-20250929-v1:0",
        BEDROCK_EMBEDDING_MODEL: "amazon.titan-embed-text-v2:0",
        AWS_REGION: "us-east-1",
        BEDROCK_ENDPOINT: "http://127.0.0.1:4010",
      }),
    ).toEqual({
      provider: "bedrock",
      model: "anthropic.claude-sonnet-4-5-20250929-v1:0",
      embeddingModel: "amazon.titan-embed-text-v2:0",
      region: "us-east-1",
      endpoint: "http://127.0.0.1:4010",
    });
    expect(providerConfigFromEnv({ LLM_PROVIDER: "local", AWS_REGION: "us-east-1" }).provider).toBe("local");
  });

  it("rejects invalid values with a clear message", () => {
    expect(() => providerConfigFromEnv({ LLM_PROVIDER: "mistral" })).toThrow(
      /LLM_PROVIDER must be one of bedrock, anthropic, openai, local/,
    );
    expect(() => providerConfigFromEnv({ LLM_FALLBACK: "bedrock,mistral", AWS_REGION: "x" })).toThrow(/fallback/);
    expect(() => providerConfigFromEnv({ OPENAI_BASE_URL: "nope" })).toThrow(/openai\.baseURL/);
    expect(() => providerConfigFromEnv({ BEDROCK_ENDPOINT: "not a url" })).toThrow(/endpoint/);
  });

  it("is pure: it reads only the object passed in, never process.env, and leaves it unchanged", () => {
    const saved = { ...process.env };
    Object.assign(process.env, { LLM_PROVIDER: "bedrock", AWS_REGION: "eu-central-1", BEDROCK_MODEL: "from-process" });
    try {
      expect(providerConfigFromEnv({})).toEqual({ provider: "local" });
      const env = { AWS_REGION: "ap-northeast-2" };
      expect(providerConfigFromEnv(env)).toEqual({ provider: "bedrock", region: "ap-northeast-2" });
      expect(env).toEqual({ AWS_REGION: "ap-northeast-2" });
    } finally {
      for (const key of ["LLM_PROVIDER", "AWS_REGION", "BEDROCK_MODEL"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});

describe("providerConfigFromEnv: openai, anthropic and the chain", () => {
  it("maps the OpenAI and Anthropic variables and LLM_FALLBACK, the same names the server reads", () => {
    expect(
      providerConfigFromEnv({
        LLM_FALLBACK: "bedrock, anthropic,OpenAI",
        LLM_FALLBACK_TIMEOUT_MS: "5000",
        EMBEDDING_PROVIDER: "openai",
        AWS_REGION: "us-east-1",
        OPENAI_API_KEY: "sk-1",
        OPENAI_MODEL: "gpt-4o",
        OPENAI_EMBEDDING_DIMENSIONS: "512",
        ANTHROPIC_BASE_URL: "http://127.0.0.1:9000",
      }),
    ).toEqual({
      provider: "bedrock",
      region: "us-east-1",
      fallback: ["bedrock", "anthropic", "openai"],
      fallbackTimeoutMs: 5000,
      embeddingProvider: "openai",
      openai: { apiKey: "sk-1", model: "gpt-4o", embeddingDimensions: 512 },
      anthropic: { baseURL: "http://127.0.0.1:9000" },
    });
    expect(providerConfigFromEnv({ OPENAI_MODEL: "gpt-4o" })).toEqual({ provider: "local" });
  });
});

describe("providerConfigSchema", () => {
  it("accepts only Titan's dimensions (256, 512, 1024)", () => {
    for (const d of [256, 512, 1024]) {
      expect(providerConfigSchema.safeParse({ embeddingDimensions: d }).success).toBe(true);
    }
    for (const d of [0, 255, 768, 1536, 512.5]) {
      expect(providerConfigSchema.safeParse({ embeddingDimensions: d }).success).toBe(false);
    }
  });
});
