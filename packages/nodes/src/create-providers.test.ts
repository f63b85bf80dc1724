import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BedrockChatModel } from "./bedrock/bedrock-chat-model.ts";
import { BedrockEmbedder } from "./bedrock/bedrock-embedder.ts";
import { createProviders } from "./create-providers.ts";
import { FallbackChatModel } from "./fallback-chat-model.ts";
import { LocalChatModel } from "./local/local-chat-model.ts";
import { LocalEmbedder } from "./local/local-embedder.ts";
import { OpenAiChatModel } from "./openai/openai-chat-model.ts";
import { OpenAiEmbedder } from "./openai/openai-embedder.ts";
import { type FakeBedrock, startFakeBedrock } from "./testing/fake-bedrock.ts";
import { fakeBedrockProviderConfig } from "./testing/fake-bedrock-config.ts";

let fake: FakeBedrock;
beforeAll(async () => {
  fake = await startFakeBedrock();
});
afterAll(() => fake.close());

describe("createProviders", () => {
  it("gives the offline pair by default", () => {
    const providers = createProviders();
    expect(providers.provider).toBe("local");
    expect(providers.embedder).toBeInstanceOf(LocalEmbedder);
    expect(providers.embedder.dimensions).toBe(1024);
    expect(providers.chatModel).toBeInstanceOf(LocalChatModel);
    expect(createProviders({ provider: "local", embeddingDimensions: 256 }).embedder.dimensions).toBe(256);
  });

  it("gives Titan v2 + Claude on Bedrock, with configured model ids, and they work against the fake", async () => {
    const providers = createProviders(
      fakeBedrockProviderConfig(fake, { model: "anthropic.claude-test", embeddingDimensions: 512 }),
    );
    try {
      expect(providers.provider).toBe("bedrock");
      expect(providers.embedder).toBeInstanceOf(BedrockEmbedder);
      expect(providers.chatModel).toBeInstanceOf(BedrockChatModel);
      expect(providers.embedder.model).toBe("amazon.titan-embed-text-v2:0");
      expect(providers.chatModel.model).toBe("anthropic.claude-test");
      const { vectors } = await providers.embedder.embed(["hello"]);
      expect(vectors[0]).toHaveLength(512);
      const res = await providers.chatModel.chat({ messages: [{ role: "user", content: "hi" }] });
      expect(res.model).toBe("anthropic.claude-test");
      expect(fake.requests.at(-1)?.modelId).toBe("anthropic.claude-test");
    } finally {
      providers.close();
    }
  });

  it("infers bedrock from a region, and validates the config", () => {
    const providers = createProviders({ region: "us-east-1" });
    expect(providers.provider).toBe("bedrock");
    providers.close();
    expect(() => createProviders({ provider: "openai" })).toThrow(/"openai" is used but not configured/);
    expect(() => createProviders({ provider: "mistral" as "local" })).toThrow(/provider/);
    expect(() => createProviders({ endpoint: "nope" })).toThrow(/endpoint|URL/i);
  });

  it("builds openai and anthropic, the chain in order, and one embedder outside it", () => {
    const providers = createProviders({
      fallback: ["anthropic", "openai"],
      anthropic: { apiKey: "k" },
      openai: { apiKey: "k", model: "gpt-test", embeddingDimensions: 512 },
      embeddingProvider: "openai",
    });
    expect(providers.provider).toBe("anthropic");
    expect(providers.chatModel).toBeInstanceOf(FallbackChatModel);
    expect((providers.chatModel as FallbackChatModel).providers).toEqual(["anthropic", "openai"]);
    expect(providers.embedder).toBeInstanceOf(OpenAiEmbedder);
    expect(providers.embedder.dimensions).toBe(512);
    expect(providers.catalog.providers).toEqual(["anthropic", "openai", "local"]);
    expect(providers.catalog.select("openai", { fallback: false })).toBeInstanceOf(OpenAiChatModel);
    expect(
      createProviders({ provider: "openai", openai: { baseURL: "http://127.0.0.1:11434/v1" } }).chatModel.model,
    ).toBe("gpt-4o-mini");
  });

  it("refuses anthropic as the embedder's provider, and a chain naming a provider twice", () => {
    expect(() => createProviders({ provider: "anthropic", anthropic: { apiKey: "k" } })).toThrow(
      /anthropic has no embeddings API/,
    );
    expect(() => createProviders({ fallback: ["local", "local"] })).toThrow(/names a provider twice/);
  });
});
