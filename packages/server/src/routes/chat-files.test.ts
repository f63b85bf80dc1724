import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeDocx, makePdf } from "../testing/document-fixtures.ts";
import { type MultipartFilePart, multipartForm } from "../testing/multipart-body.ts";
import { createTestApp, type TestApp } from "../testing/test-app.ts";

/** Chat workflow: start(query) → document-extractor(sys.files) → answer "{{text}}" and end(answer, count). */
const EXTRACT_WORKFLOW = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
    {
      id: "extract",
      type: "document-extractor",
      config: { separator: "\n=====\n" },
      variable_mappings: [{ target_port: "files", selector: ["sys", "files"] }],
    },
    {
      id: "end",
      type: "end",
      variable_mappings: [
        { target_port: "answer", selector: ["extract", "text"] },
        { target_port: "texts", selector: ["extract", "texts"] },
      ],
    },
  ],
  edges: [
    { source: "start", target: "extract" },
    { source: "extract", target: "end" },
  ],
};

const DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

let t: TestApp;
let botId: string;
let pdf: Uint8Array;
let docx: Uint8Array;

beforeAll(async () => {
  t = await createTestApp({ config: { maxUploadBytes: 64 * 1024, chatMaxFiles: 2 } });
  const bot = await t.storage.bots.create({ name: "reader", useWorkflowV2: true });
  await t.storage.workflowVersions.saveDraft(bot.id, EXTRACT_WORKFLOW);
  await t.storage.workflowVersions.publish(bot.id);
  botId = bot.id;
  pdf = await makePdf(["Invoice 42 is due on 3 March."]);
  docx = await makeDocx([{ heading: "Refund policy", text: "Refunds are paid within 5 days." }]);
});
afterAll(async () => {
  await t?.close();
});

function chatWith(fields: Record<string, string>, files: readonly MultipartFilePart[]) {
  const form = multipartForm(fields, files);
  return t.app.inject({
    method: "POST",
    url: "/api/v1/chat",
    headers: { ...t.admin, ...form.headers },
    payload: form.payload,
  });
}

const pdfPart = (): MultipartFilePart => ({
  field: "files",
  filename: "invoice.pdf",
  contentType: "application/pdf",
  content: pdf,
});
const docxPart = (): MultipartFilePart => ({
  field: "files",
  filename: "refunds.docx",
  contentType: DOCX,
  content: docx,
});

describe("POST /api/v1/chat with files (multipart/form-data)", () => {
  it("answers with the text of an attached PDF and DOCX, and records the files by metadata only", async () => {
    const res = await chatWith({ bot_id: botId, message: "What do these say?" }, [pdfPart(), docxPart()]);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.response).toBe(
      "Invoice 42 is due on 3 March.\n=====\n# Refund policy\n\nRefunds are paid within 5 days.",
    );

    const detail = await t.app.inject({
      method: "GET",
      url: `/api/v1/bots/${botId}/workflow-executions/${body.run_id}`,
      headers: t.admin,
    });
    expect(detail.statusCode).toBe(200);
    const run = detail.json();
    expect(run).toMatchObject({ status: "succeeded", trigger: "chat" });
    const metadata = [
      { filename: "invoice.pdf", mime_type: "application/pdf", size: pdf.byteLength, sha256: sha256(pdf) },
      { filename: "refunds.docx", mime_type: DOCX, size: docx.byteLength, sha256: sha256(docx) },
    ];
    expect(run.inputs.files).toEqual(metadata);
    const extract = run.node_executions.find((n: { node_id: string }) => n.node_id === "extract");
    expect(extract.inputs).toEqual({ files: metadata });
    expect(JSON.stringify(run)).not.toContain("data_base64");
    expect(JSON.stringify(run)).not.toContain(Buffer.from(pdf).toString("base64").slice(0, 40));
  });

  it("takes the JSON body's fields as text fields: stream=true answers with SSE", async () => {
    const res = await chatWith({ bot_id: botId, message: "Read it", stream: "true" }, [pdfPart()]);
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/event-stream");
    expect(res.body).toContain("Invoice 42 is due on 3 March.");
  });

  it("refuses an unsupported type (415), a file over the upload limit (413), too many files (413), an empty file (400)", async () => {
    const png = await chatWith({ bot_id: botId, message: "hi" }, [
      { field: "files", filename: "photo.png", contentType: "image/png", content: "\x89PNG" },
    ]);
    expect(png.statusCode).toBe(415);
    expect(png.json().error).toMatchObject({
      code: "unsupported_media_type",
      message: expect.stringContaining("photo.png"),
    });

    const big = await chatWith({ bot_id: botId, message: "hi" }, [
      { field: "files", filename: "big.txt", contentType: "text/plain", content: "x".repeat(64 * 1024 + 1) },
    ]);
    expect(big.statusCode).toBe(413);
    expect(big.json().error).toMatchObject({
      code: "payload_too_large",
      message: '"big.txt": the file is larger than the upload limit of 64 KiB (PORTFLOW_MAX_UPLOAD_BYTES)',
    });

    const three = await chatWith({ bot_id: botId, message: "hi" }, [pdfPart(), docxPart(), pdfPart()]);
    expect(three.statusCode).toBe(413);
    expect(three.json().error).toMatchObject({
      code: "payload_too_large",
      message: "a chat message may carry at most 2 files (PORTFLOW_CHAT_MAX_FILES)",
    });

    const empty = await chatWith({ bot_id: botId, message: "hi" }, [
      { field: "files", filename: "empty.txt", contentType: "text/plain", content: "" },
    ]);
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.message).toBe('"empty.txt" is empty');
  });

  it("validates the text fields as the JSON body (400 naming the field) and refuses files under another name", async () => {
    const noMessage = await chatWith({ bot_id: botId }, [pdfPart()]);
    expect(noMessage.statusCode).toBe(400);
    expect(noMessage.json().error).toMatchObject({
      code: "validation_error",
      message: expect.stringContaining("body.message"),
    });

    const badStream = await chatWith({ bot_id: botId, message: "hi", stream: "yes" }, []);
    expect(badStream.statusCode).toBe(400);
    expect(badStream.json().error.message).toContain("body.stream");

    const wrongField = await chatWith({ bot_id: botId, message: "hi" }, [{ ...pdfPart(), field: "file" }]);
    expect(wrongField.statusCode).toBe(400);
    expect(wrongField.json().error.details.issues).toEqual([
      { path: "body.file", message: 'is not a field of a chat request: send files as parts named "files"' },
    ]);
  });

  it("answers 422 naming the file when an attachment cannot be read, and records the failed run", async () => {
    const res = await chatWith({ bot_id: botId, message: "hi" }, [
      { field: "files", filename: "broken.pdf", contentType: "application/pdf", content: "%PDF-1.7 not really a pdf" },
    ]);
    expect(res.statusCode).toBe(422);
    const error = res.json().error;
    expect(error).toMatchObject({
      code: "invalid_document",
      message: 'node "extract" failed: broken.pdf: the PDF cannot be read (Invalid PDF structure.)',
      details: { reason: "CORRUPT", node_id: "extract" },
    });
    const run = await t.storage.runs.get(botId, error.details.run_id);
    expect(run?.status).toBe("failed");
  });

  it("gives a JSON chat an empty sys.files: document-extractor answers an empty text", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/chat",
      headers: t.admin,
      payload: { bot_id: botId, message: "no files" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().response).toBe("");
    const run = await t.storage.runs.get(botId, res.json().run_id);
    expect(run?.inputs).not.toHaveProperty("files");
  });
});
