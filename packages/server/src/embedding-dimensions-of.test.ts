import { createProviders } from "@portflow/nodes";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { embeddingDimensionsOf } from "./embedding-dimensions-of.ts";
import { providerConfigOf } from "./portflow-runtime.ts";

const CONFIGURATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  local: { LLM_PROVIDER: "local" },
  bedrock: { LLM_PROVIDER: "bedrock", AWS_REGION: "us-east-1" },
  "openai, default size": { LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-test" },
  "openai, 1536": { LLM_PROVIDER: "openai", OPENAI_API_KEY: "sk-test", OPENAI_EMBEDDING_DIMENSIONS: "1536" },
  "anthropic chat, openai embeddings": {
    LLM_PROVIDER: "anthropic",
    ANTHROPIC_API_KEY: "sk-ant",
    EMBEDDING_PROVIDER: "openai",
    OPENAI_API_KEY: "sk-test",
    OPENAI_EMBEDDING_DIMENSIONS: "256",
  },
  "openai chat, local embeddings": {
    LLM_PROVIDER: "openai",
    OPENAI_API_KEY: "sk-test",
    OPENAI_EMBEDDING_DIMENSIONS: "512",
    EMBEDDING_PROVIDER: "local",
  },
};

describe("embeddingDimensionsOf", () => {
  it.each(Object.entries(CONFIGURATIONS))("agrees with the embedder createProviders builds: %s", (_name, env) => {
    const config = loadConfig(env);
    const providers = createProviders(providerConfigOf(config));
    try {
      expect(embeddingDimensionsOf(config)).toBe(providers.embedder.dimensions);
    } finally {
      providers.close();
    }
  });

  it("follows OPENAI_EMBEDDING_DIMENSIONS when openai embeds", () => {
    expect(embeddingDimensionsOf(loadConfig(CONFIGURATIONS["openai, 1536"] ?? {}))).toBe(1536);
  });
});
