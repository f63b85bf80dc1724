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
  return uploadTo(`/api/v1/bots/${botId}/documents`, file, headers);
}

function uploadTo(url: string, file: Parameters<typeof multipartBody>[0], headers = t.admin) {
  const body = multipartBody(file);
  return t.app.inject({ method: "POST", url, headers: { ...headers, ...body.headers }, payload: body.payload });
}

const HTML_PAGE = `<!doctype html><html><head><title>Baggage help</title><script>track()</script></head><body>
<h1>Baggage</h1><p>Log in on the <a href="/account">account page</a> to see your allowance.</p>
<h2>Carry-on</h2><p>Each bag may weigh <b>8 kg</b>.</p></body></html>`;

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

  it("uploads at POST /bots/{bot_id}/documents; the deprecated /documents/upload?bot_id= answers the same", async () => {
    const bot = await t.storage.bots.create({ name: "upload paths" });
    const file = { filename: "faq.md", contentType: "text/markdown", content: MARKDOWN };
    const created = await upload(bot.id, file);
    expect(created.statusCode).toBe(201);
    const old = await uploadTo(`/api/v1/documents/upload?bot_id=${bot.id}`, file);
    expect(old.statusCode).toBe(200);
    expect(old.json()).toMatchObject({ id: created.json().id, duplicate: true });
    const other = await uploadTo(`/api/v1/documents/upload?bot_id=${bot.id}`, { ...file, content: "# Other\n\ntext" });
    expect(other.statusCode).toBe(201);
    const doc = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.paths["/api/v1/documents/upload"].post.deprecated).toBe(true);
    expect(doc.paths["/api/v1/bots/{bot_id}/documents"].post.deprecated).toBeUndefined();
  });

  it("ingests HTML, also when declared as plain text, as Markdown: no tags in chunks, headings in metadata", async () => {
    const bot = await t.storage.bots.create({ name: "html" });
    const page = await upload(bot.id, { filename: "baggage.html", contentType: "text/html", content: HTML_PAGE });
    expect(page.statusCode).toBe(201);
    expect(page.json()).toMatchObject({ filename: "baggage.html", status: "ready" });
    const fragment = "<p>Refunds are paid within 5 days.</p> <p>Ask at the desk.</p> <p>Keep the receipt.</p>";
    const asText = await upload(bot.id, { filename: "refunds.txt", contentType: "text/plain", content: fragment });
    expect(asText.statusCode).toBe(201);
    const chunks = [
      ...(await t.storage.vectors.listChunks(bot.id, page.json().id)),
      ...(await t.storage.vectors.listChunks(bot.id, asText.json().id)),
    ];
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.content).not.toMatch(/<\/?[a-z][^>]*>/i);
      expect(chunk.content).not.toContain("track()");
    }
    const carryOn = chunks.find((c) => c.content.includes("8 kg"));
    expect(carryOn?.metadata).toMatchObject({ heading: "Baggage > Carry-on" });
    expect(chunks.some((c) => c.content.includes("Refunds are paid within 5 days."))).toBe(true);
  });

  it("pages documents by cursor like runs: next_cursor until the last page, 400 for a made-up cursor", async () => {
    const bot = await t.storage.bots.create({ name: "paging" });
    for (const n of [1, 2, 3]) {
      const res = await upload(bot.id, {
        filename: `doc${n}.md`,
        contentType: "text/markdown",
        content: `# D${n}\n\nx${n}`,
      });
      expect(res.statusCode).toBe(201);
    }
    const url = `/api/v1/bots/${bot.id}/documents`;
    const first = (await t.app.inject({ method: "GET", url: `${url}?limit=2`, headers: t.admin })).json();
    expect(first.items.map((d: { filename: string }) => d.filename)).toEqual(["doc3.md", "doc2.md"]);
    expect(first.total).toBe(3);
    expect(first.next_cursor).toEqual(expect.any(String));
    const next = await t.app.inject({
      method: "GET",
      url: `${url}?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`,
      headers: t.admin,
    });
    expect(next.json().items.map((d: { filename: string }) => d.filename)).toEqual(["doc1.md"]);
    expect(next.json().next_cursor).toBeNull();
    const bad = await t.app.inject({ method: "GET", url: `${url}?cursor=made-up`, headers: t.admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid_cursor");
    const offset = await t.app.inject({ method: "GET", url: `${url}?offset=1`, headers: t.admin });
    expect(offset.statusCode).toBe(400);
    expect(offset.json().error.details.issues[0].unknown_keys).toEqual(["offset"]);
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
