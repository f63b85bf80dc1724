import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDocx, makePdf } from "../testing/document-fixtures.ts";
import { multipartBody } from "../testing/multipart-body.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "../testing/workflows.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ config: { maxUploadBytes: 64 * 1024 } });
});
afterAll(async () => {
  await t?.close();
});

const MARKDOWN = [
  "# Refunds",
  "",
  "Refunds are paid within five working days of the return reaching our warehouse.",
  "",
  "# Shipping",
  "",
  "Orders ship from Lyon every weekday before noon.",
].join("\n");

function upload(botId: string, file: Parameters<typeof multipartBody>[0], headers = t.admin) {
  const body = multipartBody(file);
  return t.app.inject({
    method: "POST",
    url: `/api/v1/documents/upload?bot_id=${botId}`,
    headers: { ...headers, ...body.headers },
    payload: body.payload,
  });
}

describe("documents", () => {
  it("uploads Markdown, lists it, answers from it, and deletes it with its chunks", async () => {
    const bot = await t.storage.bots.create({ name: "docs" });
    await t.storage.workflowVersions.saveDraft(bot.id, RAG_WORKFLOW_V2);
    await t.storage.workflowVersions.publish(bot.id);

    const res = await upload(bot.id, { filename: "faq.md", contentType: "text/markdown", content: MARKDOWN });
    expect(res.statusCode).toBe(201);
    const doc = res.json();
    expect(doc).toMatchObject({ bot_id: bot.id, filename: "faq.md", status: "ready", duplicate: false });
    expect(doc.chunk_count).toBeGreaterThan(0);

    const again = await upload(bot.id, { filename: "faq.md", contentType: "text/markdown", content: MARKDOWN });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: doc.id, duplicate: true });

    const list = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}/documents`, headers: t.admin });
    expect(list.json()).toMatchObject({ total: 1, items: [{ id: doc.id }] });

    const chat = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: bot.id, message: "When are refunds paid?" },
    });
    expect(chat.json().sources[0]).toMatchObject({ document_id: doc.id });

    const deleted = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/bots/${bot.id}/documents/${doc.id}`,
      headers: t.admin,
    });
    expect(deleted.statusCode).toBe(204);
    const after = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: bot.id, message: "When are refunds paid?" },
    });
    expect(after.json().sources).toEqual([]);
    const twice = await t.app.inject({
      method: "DELETE",
      url: `/api/v1/bots/${bot.id}/documents/${doc.id}`,
      headers: t.admin,
    });
    expect(twice.statusCode).toBe(404);
  });

  it("ingests PDF (with page numbers) and DOCX", async () => {
    const bot = await t.storage.bots.create({ name: "binary" });
    const pdf = await upload(bot.id, {
      filename: "policy.pdf",
      contentType: "application/pdf",
      content: await makePdf(["Refunds take five days.", "Shipping is free over fifty euros."]),
    });
    expect(pdf.statusCode).toBe(201);
    expect(pdf.json()).toMatchObject({ mime_type: "application/pdf", status: "ready" });
    const docx = await upload(bot.id, {
      filename: "guide.docx",
      contentType: "application/octet-stream",
      content: await makeDocx([{ heading: "Install", text: "Run the installer and follow the steps." }]),
    });
    expect(docx.statusCode).toBe(201);
    expect(docx.json().mime_type).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    const [vector] = (await t.embedder.embed(["shipping free"])).vectors;
    const hits = await t.storage.vectors.search(bot.id, vector as number[], { topK: 5 });
    const pdfHit = hits.find((h) => h.documentId === pdf.json().id && h.content.includes("Shipping"));
    const meta = pdfHit?.metadata as { page?: number; page_end?: number } | undefined;
    expect(meta?.page_end ?? meta?.page).toBe(2); // the chunk knows it reaches page 2
  });

  it("refuses a file whose content is not what its name says", async () => {
    const bot = await t.storage.bots.create({ name: "liar" });
    const res = await upload(bot.id, {
      filename: "fake.pdf",
      contentType: "application/pdf",
      content: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0, 0]),
    });
    expect([415, 422]).toContain(res.statusCode);
    expect(res.json().error.code).toMatch(/unsupported_media_type|invalid_document/);
  });

  it("accepts plain text", async () => {
    const bot = await t.storage.bots.create({ name: "text" });
    const res = await upload(bot.id, { filename: "notes.txt", contentType: "text/plain", content: "Plain notes." });
    expect(res.statusCode).toBe(201);
    expect(res.json().mime_type).toBe("text/plain");
  });

  it("answers 415 for unsupported types and 413 past the size limit", async () => {
    const bot = await t.storage.bots.create({ name: "limits" });
    const png = await upload(bot.id, {
      filename: "photo.png",
      contentType: "image/png",
      content: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    });
    expect(png.statusCode).toBe(415);
    expect(png.json().error.code).toBe("unsupported_media_type");

    const big = await upload(bot.id, {
      filename: "big.txt",
      contentType: "text/plain",
      content: "x".repeat(65 * 1024),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toEqual({
      code: "payload_too_large",
      message: '"big.txt": the file is larger than the upload limit of 64 KiB (PORTFLOW_MAX_UPLOAD_BYTES)',
      details: {
        reason: "TOO_LARGE",
        limit: { name: "maxBytes", value: 64 * 1024, unit: "bytes", setting: "PORTFLOW_MAX_UPLOAD_BYTES" },
      },
    });

    const notMultipart = await t.app.inject({
      method: "POST",
      url: `/api/v1/documents/upload?bot_id=${bot.id}`,
      headers: t.admin,
      payload: { file: "nope" },
    });
    expect(notMultipart.statusCode).toBe(415);

    const empty = await upload(bot.id, { filename: "empty.txt", contentType: "text/plain", content: "" });
    expect(empty.statusCode).toBe(400);
    const listed = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}/documents`, headers: t.admin });
    expect(listed.json().total).toBe(0);
  });

  it("stores a .txt upload declared text/markdown as Markdown, with heading metadata on its chunks", async () => {
    const bot = await t.storage.bots.create({ name: "declared markdown" });
    const res = await upload(bot.id, { filename: "faq.txt", contentType: "text/markdown", content: MARKDOWN });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ filename: "faq.txt", mime_type: "text/markdown" });
    const [query] = (await t.embedder.embed(["Orders ship from Lyon"])).vectors;
    const [hit] = await t.storage.vectors.search(bot.id, query as number[], { topK: 1 });
    expect(hit?.metadata).toMatchObject({ filename: "faq.txt", heading: "Shipping" });
  });

  it("keeps a Korean name sent as RFC 5987 filename*, alone or beside an ASCII fallback filename", async () => {
    const bot = await t.storage.bots.create({ name: "names" });
    const only = await upload(bot.id, {
      filename: "",
      contentType: "text/markdown",
      content: "# 환불\n\n환불은 5일 걸립니다.",
      disposition: `form-data; name="file"; filename*=UTF-8''%ED%95%9C%EA%B8%80.md`,
    });
    expect(only.statusCode).toBe(201);
    expect(only.json()).toMatchObject({ filename: "한글.md", mime_type: "text/markdown" });

    const withFallback = await upload(bot.id, {
      filename: "",
      contentType: "text/plain",
      content: "# 배송\n\n리옹에서 출고됩니다.",
      disposition: `form-data; name="file"; filename="upload.txt"; filename*=UTF-8''%EB%B0%B0%EC%86%A1.md`,
    });
    expect(withFallback.statusCode).toBe(201);
    // the name decides the type too: .md, not the fallback's .txt
    expect(withFallback.json()).toMatchObject({ filename: "배송.md", mime_type: "text/markdown" });

    const list = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}/documents`, headers: t.admin });
    expect(
      list
        .json()
        .items.map((d: { filename: string }) => d.filename)
        .sort(),
    ).toEqual(["배송.md", "한글.md"]);
  });

  it("refuses a file name with U+0000 or another control character with 400 naming file.filename", async () => {
    const bot = await t.storage.bots.create({ name: "nul" });
    for (const filename of ["notes\u0000.md", "bell\u0007.txt", "tab\there.txt"]) {
      const res = await upload(bot.id, { filename, contentType: "text/plain", content: "Some notes." });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: "validation_error",
        message: expect.stringContaining("file.filename"),
        details: { issues: [{ path: "file.filename", message: expect.stringContaining("control characters") }] },
      });
    }
    const encoded = await upload(bot.id, {
      filename: "",
      contentType: "text/plain",
      content: "Some notes.",
      disposition: `form-data; name="file"; filename*=UTF-8''a%00b.txt`,
    });
    expect(encoded.statusCode).toBe(400);
    expect(encoded.json().error.details.issues[0].path).toBe("file.filename");
    const list = await t.app.inject({ method: "GET", url: `/api/v1/bots/${bot.id}/documents`, headers: t.admin });
    expect(list.json().total).toBe(0);
  });
});
