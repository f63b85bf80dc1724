import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "./json-body-parser.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

let t: TestApp;
let botId: string;
beforeAll(async () => {
  t = await createTestApp();
  botId = (await t.storage.bots.create({ name: "json bodies" })).id;
});
afterAll(async () => {
  await t?.close();
});

const draftUrl = () => `/api/v1/bots/${botId}/workflow-versions/draft`;

/** Sends JSON text as it is (inject would stringify an object, and no stack takes 50,000 levels). */
function send(method: "PUT" | "POST" | "PATCH", url: string, text: string) {
  return t.app.inject({ method, url, headers: { ...t.admin, "content-type": "application/json" }, payload: text });
}

/** `{"a":{"a":…}}` `levels` objects deep. */
const nestedObjects = (levels: number, leaf = "1") => `${'{"a":'.repeat(levels)}${leaf}${"}".repeat(levels)}`;

describe("JSON bodies", () => {
  it.each([10_000, 50_000])(
    "refuses a draft nested %i levels deep with a 400 naming where the limit is crossed",
    async (levels) => {
      const res = await send("PUT", draftUrl(), `{"force":true,"graph":${nestedObjects(levels)}}`);
      expect(res.statusCode).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe("validation_error");
      // The body is level 1, graph level 2: the first refused object is the 64th "a" below the body.
      const path = `body.graph${".a".repeat(MAX_JSON_DEPTH - 1)}`;
      expect(error.details.issues).toEqual([
        { path, message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) },
      ]);
      expect(error.message).toContain(path);
    },
  );

  it("refuses debug-run inputs nested 20,000 arrays deep with a 400 naming the path", async () => {
    await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2, { force: true });
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const res = await send("POST", `${draftUrl()}/run`, `{"inputs":{"query":"hi","extra":${deep}}}`);
    expect(res.statusCode).toBe(400);
    // body (1) > inputs (2) > extra (3): the 62nd array below extra is level 65.
    expect(res.json().error.details.issues[0].path).toBe(`body.inputs.extra${"[0]".repeat(MAX_JSON_DEPTH - 2)}`);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, async () => {
    // body (1) > graph (2) > nested objects
    const fits = await send("PUT", draftUrl(), `{"force":true,"graph":${nestedObjects(MAX_JSON_DEPTH - 1)}}`);
    expect(fits.statusCode).toBe(200);
    const over = await send("PUT", draftUrl(), `{"force":true,"graph":${nestedObjects(MAX_JSON_DEPTH)}}`);
    expect(over.statusCode).toBe(400);
  });

  it('says that the key "__proto__" is refused, and where', async () => {
    const res = await send(
      "PUT",
      draftUrl(),
      '{"force":true,"graph":{"nodes":[{"id":"x","__proto__":{"admin":true}}]}}',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      'invalid request: body.graph.nodes[0].__proto__: the key "__proto__" is not allowed',
    );
    const ctor = await send("PATCH", `/api/v1/bots/${botId}`, '{"settings":{"constructor":{"prototype":{"x":1}}}}');
    expect(ctor.statusCode).toBe(400);
    expect(ctor.json().error.details.issues[0].path).toBe("body.settings.constructor");
  });

  it("refuses a number JSON cannot hold in a double instead of storing it as null", async () => {
    const res = await send("PUT", draftUrl(), '{"force":true,"graph":{"nodes":[],"limits":{"max":1e400}}}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues[0]).toEqual({
      path: "body.graph.limits.max",
      message: expect.stringContaining("out of range"),
    });
  });

  it("names the 2 MiB body limit in a 413", async () => {
    const res = await send("PUT", draftUrl(), JSON.stringify({ graph: { padding: "x".repeat(2 * 1024 * 1024) } }));
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatchObject({
      code: "payload_too_large",
      message: expect.stringContaining("2 MiB"),
      details: { limit_bytes: 2 * 1024 * 1024 },
    });
  });

  it("names the body in a 400 for text that is not JSON, or none at all", async () => {
    const broken = await send("PUT", draftUrl(), '{"graph": {');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/^body: not valid JSON/);
    const empty = await send("PUT", draftUrl(), "");
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details.issues[0].path).toBe("body");
  });
});
