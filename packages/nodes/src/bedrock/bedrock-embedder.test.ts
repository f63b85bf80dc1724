import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeBedrock, startFakeBedrock } from "../testing/fake-bedrock.ts";
import { fakeBedrockClientOptions } from "../testing/fake-bedrock-config.ts";
import { createBedrockClient } from "./bedrock-client.ts";
import { BedrockEmbedder, EmbeddingInputError } from "./bedrock-embedder.ts";
import { BedrockError } from "./bedrock-error.ts";

let fake: FakeBedrock;
let client: ReturnType<typeof createBedrockClient>;

beforeAll(async () => {
  fake = await startFakeBedrock();
  client = createBedrockClient(fakeBedrockClientOptions(fake));
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});
beforeEach(() => fake.reset());

describe("BedrockEmbedder (real SDK against the fake, HTTP/2)", () => {
  it("embeds with Titan v2: one InvokeModel per text, in input order, requested dimensions, unit length", async () => {
    const embedder = new BedrockEmbedder({ client, dimensions: 256, concurrency: 3 });
    const texts = ["alpha", "beta gamma", "환불 정책", "delta", "epsilon zeta eta"];
    const { vectors, inputTokens } = await embedder.embed(texts);
    expect(vectors).toHaveLength(5);
    for (const v of vectors) {
      expect(v).toHaveLength(256);
      expect(Math.hypot(...v)).toBeCloseTo(1, 6);
    }
    expect(inputTokens).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(5);
    expect(fake.requests[0]?.path).toBe("/model/amazon.titan-embed-text-v2%3A0/invoke");
    expect(fake.requests.map((r) => r.modelId)).toEqual(new Array(5).fill("amazon.titan-embed-text-v2:0"));
    expect(fake.requests.map((r) => (r.body as { inputText: string }).inputText).sort()).toEqual([...texts].sort());
    expect(fake.requests[0]?.body).toMatchObject({ dimensions: 256, normalize: true });
    // same text, same vector: order is preserved whatever the completion order
    const again = await embedder.embed(["delta"]);
    expect(again.vectors[0]).toEqual(vectors[3]);
  });

  it("defaults to 1024 dimensions", async () => {
    const embedder = new BedrockEmbedder({ client });
    expect(embedder.dimensions).toBe(1024);
    expect((await embedder.embed(["x"])).vectors[0]).toHaveLength(1024);
  });

  it("refuses over-long and empty input before calling Bedrock", async () => {
    const embedder = new BedrockEmbedder({ client });
    await expect(embedder.embed(["ok", "x".repeat(50_001)])).rejects.toThrow(
      /text 1 has 50001 characters.*at most 50000/,
    );
    await expect(embedder.embed([" "])).rejects.toThrow(EmbeddingInputError);
    expect(fake.requests).toHaveLength(0);
    await expect(embedder.embed(["x".repeat(50_000)])).resolves.toBeDefined();
  });

  it("retries a throttled call and then succeeds", async () => {
    fake.script({ kind: "throttle", times: 1, operation: "invoke" });
    const { vectors } = await new BedrockEmbedder({ client, concurrency: 1 }).embed(["retry me"]);
    expect(vectors).toHaveLength(1);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("surfaces a 4xx with Bedrock's message, without retrying", async () => {
    fake.script({
      kind: "error",
      status: 403,
      type: "AccessDeniedException",
      message: "You don't have access to the model",
    });
    const error = await new BedrockEmbedder({ client, concurrency: 1 }).embed(["x"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect((error as BedrockError).message).toMatch(
      /AccessDeniedException \(HTTP 403\).*You don't have access to the model/,
    );
    expect((error as BedrockError).status).toBe(403);
    expect(fake.requests).toHaveLength(1);
  });

  it("rejects a malformed provider response", async () => {
    fake.script({ kind: "malformed", operation: "invoke" });
    await expect(new BedrockEmbedder({ client }).embed(["x"])).rejects.toThrow(
      /unexpected embedding response[\s\S]*embedding/,
    );
  });

  it("keeps at most `concurrency` calls in flight", async () => {
    // The fake holds every call until released: the test sees exactly how many are open at once.
    const gate = fake.hold();
    const texts = Array.from({ length: 10 }, (_, i) => `text ${i}`);
    const embedding = new BedrockEmbedder({ client, concurrency: 3 }).embed(texts);
    try {
      for (let answered = 0; answered < texts.length; answered++) {
        await gate.untilWaiting(Math.min(3, texts.length - answered));
        expect(fake.stats.inFlight).toBeLessThanOrEqual(3);
        gate.releaseOne();
      }
    } finally {
      // On a failure, let the calls still open finish here rather than in the next test.
      gate.open();
      await embedding.catch(() => undefined);
    }
    const { vectors } = await embedding;
    expect(vectors).toHaveLength(10);
    expect(fake.requests).toHaveLength(10);
    expect(fake.stats.maxInFlight).toBe(3);
  });

  it("reports the failure itself, not the cancellations it caused, when one call of a batch fails", async () => {
    fake.script({ kind: "error", status: 400, type: "ValidationException", message: "bad text", operation: "invoke" });
    const error = await new BedrockEmbedder({ client, concurrency: 4 })
      .embed(Array.from({ length: 8 }, (_, i) => `t${i}`))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BedrockError);
    expect((error as Error).message).toContain("bad text");
  });

  it("stops on an aborted signal", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(new BedrockEmbedder({ client }).embed(["x"], { signal: controller.signal })).rejects.toMatchObject({
      name: "AbortError",
    });
  });
});
