import { makeDocxBomb } from "@portflow/nodes/testing/compression-bombs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { multipartBody } from "../testing/multipart-body.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

const MiB = 1024 * 1024;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { maxUploadBytes: 2 * MiB }, parsing: { memoryMb: 48 } });
});
afterAll(async () => {
  await t?.close();
});

function upload(botId: string, filename: string, content: Uint8Array | string) {
  const body = multipartBody({ filename, contentType: "application/octet-stream", content });
  return t.app.inject({
    method: "POST",
    url: `/api/v1/documents/upload?bot_id=${botId}`,
    headers: { ...t.admin, ...body.headers },
    payload: body.payload,
  });
}

describe("document upload limits", () => {
  it("answers 413 naming the XML limit and its setting for a DOCX that inflates to 80 MiB, then takes a normal upload", async () => {
    const bot = await t.storage.bots.create({ name: "bomb" });
    const bomb = makeDocxBomb(80 * MiB);
    expect(bomb.bytes.byteLength).toBeLessThan(2 * MiB);
    const res = await upload(bot.id, "bomb.docx", bomb.bytes);
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toEqual({
      code: "payload_too_large",
      message:
        "bomb.docx: the DOCX's XML (word/document.xml and the other XML parts) decompresses to more than the limit of 8 MiB (PORTFLOW_MAX_DOCX_XML_BYTES)",
      details: {
        reason: "ARCHIVE_TOO_LARGE",
        limit: { name: "maxDocxXmlBytes", value: 8 * MiB, unit: "bytes", setting: "PORTFLOW_MAX_DOCX_XML_BYTES" },
      },
    });
    const ok = await upload(bot.id, "fine.docx", makeDocxBomb(32 * 1024).bytes);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({ filename: "fine.docx", status: "ready" });
  });

  it("answers 422 naming the parse memory setting when a DOCX needs more heap than the parse worker has", async () => {
    const bot = await t.storage.bots.create({ name: "heavy" });
    // within the archive limits, but mammoth needs ~200 MiB of heap for it: over the 48 MiB cap
    const res = await upload(bot.id, "heavy.docx", makeDocxBomb(2 * MiB).bytes);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: "invalid_document",
      message: "heavy.docx: parsing needed more memory than the limit of 48 MiB (PORTFLOW_PARSE_MEMORY_MB)",
      details: {
        reason: "PARSE_LIMIT_EXCEEDED",
        limit: { name: "memoryMb", value: 48, setting: "PORTFLOW_PARSE_MEMORY_MB" },
      },
    });
    const list = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}/documents`, headers: t.admin });
    expect(list.json().total).toBe(0);
    const health = await t.app.inject({ method: "GET", url: "/health" });
    expect(health.statusCode).toBe(200);
  });
});
