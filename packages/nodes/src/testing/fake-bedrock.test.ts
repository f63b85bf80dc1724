import { connect } from "node:http2";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import { describe, expect, it } from "vitest";
import { BedrockChatModel } from "../bedrock/bedrock-chat-model.ts";
import { createBedrockClient } from "../bedrock/bedrock-client.ts";
import { BedrockEmbedder } from "../bedrock/bedrock-embedder.ts";
import { startFakeBedrock } from "./fake-bedrock.ts";
import { fakeBedrockClientOptions } from "./fake-bedrock-config.ts";

/** A raw HTTP/2 POST, to look at what the fake sends on the wire. */
async function rawPost(endpoint: string, path: string, body: unknown) {
  const session = connect(endpoint);
  try {
    return await new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/json" });
      const chunks: Buffer[] = [];
      let headers: Record<string, unknown> = {};
      stream.on("response", (h) => {
        headers = h;
      });
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => resolve({ status: Number(headers[":status"]), headers, body: Buffer.concat(chunks) }));
      stream.on("error", reject);
      stream.end(JSON.stringify(body));
    });
  } finally {
    session.close();
  }
}

describe("startFakeBedrock", () => {
  it("serves cleartext HTTP/2 with event-stream frames in Bedrock's order and headers", async () => {
    const fake = await startFakeBedrock({
      reply: () => ({ text: "abcdefghij", stopReason: "max_tokens" }),
      deltaSize: 4,
    });
    try {
      const res = await rawPost(fake.endpoint, "/model/anthropic.claude%3Ax/converse-stream", {
        messages: [{ role: "user", content: [{ text: "q" }] }],
      });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("application/vnd.amazon.eventstream");
      const codec = new EventStreamCodec(toUtf8, fromUtf8);
      const frames: { type: unknown; messageType: unknown; contentType: unknown; body: unknown }[] = [];
      let offset = 0;
      while (offset < res.body.length) {
        const length = res.body.readUInt32BE(offset);
        const message = codec.decode(res.body.subarray(offset, offset + length));
        frames.push({
          type: message.headers[":event-type"]?.value,
          messageType: message.headers[":message-type"]?.value,
          contentType: message.headers[":content-type"]?.value,
          body: JSON.parse(toUtf8(message.body)),
        });
        offset += length;
      }
      expect(frames.map((f) => f.type)).toEqual([
        "messageStart",
        "contentBlockDelta",
        "contentBlockDelta",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
      ]);
      expect(frames.every((f) => f.messageType === "event" && f.contentType === "application/json")).toBe(true);
      expect(frames[1]?.body).toEqual({ contentBlockIndex: 0, delta: { text: "abcd" } });
      expect(frames[5]?.body).toEqual({ stopReason: "max_tokens" });
      expect(fake.requests[0]?.modelId).toBe("anthropic.claude:x");
    } finally {
      await fake.close();
    }
  });

  it("answers errors with status, x-amzn-errortype and a JSON message; unknown routes are 404", async () => {
    const fake = await startFakeBedrock();
    try {
      fake.script({ kind: "throttle" });
      const throttled = await rawPost(fake.endpoint, "/model/m/converse", { messages: [] });
      expect(throttled.status).toBe(429);
      expect(throttled.headers["x-amzn-errortype"]).toBe("ThrottlingException");
      expect(JSON.parse(throttled.body.toString())).toHaveProperty("message");
      const unknown = await rawPost(fake.endpoint, "/nothing", {});
      expect(unknown.status).toBe(404);
      const invalid = await rawPost(fake.endpoint, "/model/m/converse", { messages: [] });
      expect(invalid.status).toBe(400);
      expect(invalid.headers["x-amzn-errortype"]).toBe("ValidationException");
    } finally {
      await fake.close();
    }
  });

  it("also serves HTTP/1.1 for a client given NodeHttpHandler", async () => {
    const fake = await startFakeBedrock({ protocol: "http1", reply: () => ({ text: "over http/1.1" }) });
    const client = createBedrockClient(fakeBedrockClientOptions(fake, { requestHandler: new NodeHttpHandler() }));
    try {
      const deltas: string[] = [];
      const res = await new BedrockChatModel({ client }).chat(
        { messages: [{ role: "user", content: "hi" }] },
        { onText: (d) => deltas.push(d) },
      );
      expect(res.text).toBe("over http/1.1");
      expect(deltas.join("")).toBe("over http/1.1");
      const { vectors } = await new BedrockEmbedder({ client, dimensions: 512 }).embed(["x"]);
      expect(vectors[0]).toHaveLength(512);
      fake.script({ kind: "throttle", times: 1 });
      await expect(
        new BedrockChatModel({ client }).chat({ messages: [{ role: "user", content: "hi" }] }),
      ).resolves.toBeDefined();
      expect(fake.requests.map((r) => r.status).slice(-2)).toEqual([429, 200]);
    } finally {
      client.destroy();
      await fake.close();
    }
  });

  it("cancels a slow stream over HTTP/1.1 too", async () => {
    const fake = await startFakeBedrock({ protocol: "http1" });
    const client = createBedrockClient(fakeBedrockClientOptions(fake, { requestHandler: new NodeHttpHandler() }));
    try {
      fake.script({ kind: "slow-stream", delayMs: 30 });
      const controller = new AbortController();
      const error = await new BedrockChatModel({ client })
        .chat(
          { messages: [{ role: "user", content: "a long question to stream" }] },
          {
            signal: controller.signal,
            onText: () => controller.abort(),
          },
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: "AbortError" });
    } finally {
      client.destroy();
      await fake.close();
    }
  });
});
