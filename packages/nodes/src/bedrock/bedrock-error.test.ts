import { describe, expect, it } from "vitest";
import { fakeBedrockClientOptions } from "../testing/fake-bedrock-config.ts";
import { BedrockChatModel } from "./bedrock-chat-model.ts";
import { createBedrockClient } from "./bedrock-client.ts";
import { BedrockError } from "./bedrock-error.ts";

describe("BedrockError", () => {
  it("wraps SDK service errors with Bedrock's type, status and message", () => {
    const sdk = Object.assign(new Error("Model not found"), {
      name: "ResourceNotFoundException",
      $metadata: { httpStatusCode: 404, attempts: 1 },
    });
    const wrapped = BedrockError.from(sdk, "converse m");
    expect(wrapped).toBeInstanceOf(BedrockError);
    expect(wrapped).toMatchObject({
      code: "ResourceNotFoundException",
      status: 404,
      retryable: false,
      message: "Bedrock ResourceNotFoundException (HTTP 404) from converse m: Model not found",
    });
  });

  it("leaves abort errors and errors from outside the SDK alone", () => {
    const abort = new DOMException("aborted", "AbortError");
    expect(BedrockError.from(abort, "x")).toBe(abort);
    const mine = new TypeError("callback failed");
    expect(BedrockError.from(mine, "x")).toBe(mine);
  });

  it("reports a connection failure as a retryable request failure after the SDK's attempts", async () => {
    const client = createBedrockClient(fakeBedrockClientOptions({ endpoint: "http://127.0.0.1:1" }));
    try {
      const error = await new BedrockChatModel({ client })
        .chat({ messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BedrockError);
      expect(error).toMatchObject({ retryable: true, attempts: 3 });
      expect((error as Error).message).toMatch(/^Bedrock request failed \(converse .*\) after 3 attempts/);
    } finally {
      client.destroy();
    }
  });

  it("lets an error thrown by onText through unchanged", async () => {
    const { startFakeBedrock } = await import("../testing/fake-bedrock.ts");
    const fake = await startFakeBedrock();
    const client = createBedrockClient(fakeBedrockClientOptions(fake));
    try {
      const boom = new RangeError("listener failed");
      const error = await new BedrockChatModel({ client })
        .chat(
          { messages: [{ role: "user", content: "x" }] },
          {
            onText: () => {
              throw boom;
            },
          },
        )
        .catch((e: unknown) => e);
      expect(error).toBe(boom);
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});
