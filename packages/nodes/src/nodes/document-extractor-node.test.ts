import { type PortDefinition, WorkflowExecutorV2, type WorkflowV2Json } from "@portflow/engine";
import { describe, expect, it } from "vitest";
import { makeDocx, makeEncryptedPdf, makePdf } from "../../test/document-fixtures.ts";
import { createNodeRegistry } from "../create-node-registry.ts";
import { toFileValue } from "../file-value.ts";
import { DOCUMENT_MIME_TYPES } from "../ingest/detect-document-type.ts";
import { WorkerDocumentParser } from "../ingest/worker-document-parser.ts";
import type { NodeRegistryOptions } from "../node-registry-options.ts";
import { startHttpTestServer } from "../testing/start-http-test-server.ts";

const encode = (text: string) => new TextEncoder().encode(text);

/** start (`upload` of the given type) → document-extractor(files ← selector) → end(text, texts). */
function extractorWorkflow(
  selector: readonly string[],
  inputs: readonly PortDefinition[] = [],
  config: Record<string, unknown> = {},
): WorkflowV2Json {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [...inputs] } },
      {
        id: "extract",
        type: "document-extractor",
        config,
        variable_mappings: [{ target_port: "files", selector: [...selector] }],
      },
      {
        id: "end",
        type: "end",
        variable_mappings: [
          { target_port: "text", selector: ["extract", "text"] },
          { target_port: "texts", selector: ["extract", "texts"] },
        ],
      },
    ],
    edges: [
      { source: "start", target: "extract" },
      { source: "extract", target: "end" },
    ],
  };
}

function executor(options: NodeRegistryOptions = {}) {
  return new WorkflowExecutorV2(createNodeRegistry(options));
}

describe("document-extractor node", () => {
  it("extracts a PDF given as a start input of type file, in the upload worker", async () => {
    const pdf = toFileValue(
      "terms.pdf",
      "application/pdf",
      await makePdf(["Refunds take five days.", "Ships from Lyon."]),
    );
    const result = await executor().run(
      extractorWorkflow(["start", "upload"], [{ name: "upload", type: "file", required: true }]),
      { upload: pdf },
    );
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({
      text: "Refunds take five days.\n\nShips from Lyon.",
      texts: ["Refunds take five days.\n\nShips from Lyon."],
    });
    expect(result.nodes.find((n) => n.nodeId === "extract")?.processData).toEqual({
      files: [{ filename: "terms.pdf", mime_type: "application/pdf", size: pdf.size, characters: 41, pages: 2 }],
    });
  });

  it("extracts each of sys.files (DOCX, Markdown, text) in order and joins them with the separator", async () => {
    const files = [
      toFileValue(
        "policy.docx",
        DOCUMENT_MIME_TYPES.docx,
        await makeDocx([{ heading: 1, text: "Refunds" }, { text: "Within 30 days." }]),
      ),
      toFileValue("notes.md", "text/markdown", encode("# Shipping\n\nFrom Lyon.\n\n## Costs\n\nFree over 50 €.")),
      toFileValue("plain.txt", "text/plain", encode("Opening hours: 9–17.")),
    ];
    const result = await executor().run(
      extractorWorkflow(["sys", "files"], [], { separator: "\n---\n" }),
      {},
      {
        system: { files },
      },
    );
    expect(result.status).toBe("succeeded");
    const texts = [
      "# Refunds\n\nWithin 30 days.",
      "# Shipping\n\nFrom Lyon.\n\n## Costs\n\nFree over 50 €.",
      "Opening hours: 9–17.",
    ];
    expect(result.outputs).toEqual({ texts, text: texts.join("\n---\n") });
  });

  it("reads the files an http-request downloaded", async () => {
    const pdf = await makePdf(["Invoice 42: paid."]);
    const server = await startHttpTestServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/pdf" }).end(Buffer.from(pdf));
    });
    try {
      const workflow: WorkflowV2Json = {
        schema_version: 2,
        nodes: [
          { id: "start", type: "start", config: { inputs: [] } },
          { id: "download", type: "http-request", config: { method: "GET", url: `${server.origin}/invoice.pdf` } },
          {
            id: "extract",
            type: "document-extractor",
            config: {},
            variable_mappings: [{ target_port: "files", selector: ["download", "files"] }],
          },
          { id: "end", type: "end", variable_mappings: [{ target_port: "text", selector: ["extract", "text"] }] },
        ],
        edges: [
          { source: "start", target: "download" },
          { source: "download", target: "extract" },
          { source: "extract", target: "end" },
        ],
      };
      const result = await executor({ http: { allow: ["127.0.0.1"] } }).run(workflow, {});
      expect(result.outputs).toEqual({ text: "Invoice 42: paid." });
    } finally {
      await server.close();
    }
  });

  it("fails with the upload's errors: over the size limit (setting named), encrypted, unsupported", async () => {
    const run = async (file: ReturnType<typeof toFileValue>) => {
      const result = await executor({
        documents: { limits: { maxBytes: 10_000 }, limitSettings: { maxBytes: "PORTFLOW_MAX_UPLOAD_BYTES" } },
      }).run(extractorWorkflow(["sys", "files"]), {}, { system: { files: [file] } });
      expect(result.status).toBe("failed");
      return result.nodes.find((n) => n.nodeId === "extract")?.error;
    };
    expect(await run(toFileValue("big.txt", "text/plain", encode("x".repeat(10_001))))).toEqual({
      code: "TOO_LARGE",
      message: "big.txt: the file (10001 bytes) is larger than the upload limit of 9.8 KiB (PORTFLOW_MAX_UPLOAD_BYTES)",
    });
    expect(await run(toFileValue("locked.pdf", "application/pdf", await makeEncryptedPdf()))).toMatchObject({
      code: "ENCRYPTED",
      message: expect.stringMatching(/^locked\.pdf: /),
    });
    expect(
      await run(toFileValue("photo.png", "image/png", Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]))),
    ).toMatchObject({
      code: "UNSUPPORTED_TYPE",
      message: expect.stringMatching(/^photo\.png: /),
    });
    expect(await run(toFileValue("empty.txt", "text/plain", new Uint8Array()))).toEqual({
      code: "EMPTY_FILE",
      message: "empty.txt: the file is empty",
    });
  });

  it("parses through the parser it is given: a worker over its time limit fails the node, named", async () => {
    const parser = new WorkerDocumentParser({ timeoutMs: 1 });
    const result = await executor({
      documents: {
        parser: (file, options) => parser.parse(file, options),
        limitSettings: { timeoutMs: "PORTFLOW_PARSE_TIMEOUT_MS" },
      },
    }).run(
      extractorWorkflow(["sys", "files"]),
      {},
      { system: { files: [toFileValue("a.txt", "text/plain", encode("hi"))] } },
    );
    expect(result.nodes.find((n) => n.nodeId === "extract")?.error).toEqual({
      code: "PARSE_LIMIT_EXCEEDED",
      message: "a.txt: parsing took longer than the limit of 1 ms (PORTFLOW_PARSE_TIMEOUT_MS)",
    });
  });

  it("refuses an input that is not a file, naming the field", async () => {
    const result = await executor().run(
      extractorWorkflow(["sys", "files"]),
      {},
      {
        system: { files: [{ filename: "a.txt", mime_type: "text/plain", size: 3, data_base64: "aGk=" }] },
      },
    );
    expect(result.nodes.find((n) => n.nodeId === "extract")?.error).toEqual({
      code: "INVALID_INPUT",
      message: expect.stringMatching(/^input files\.0\.size: size must equal the number of bytes in data_base64/),
    });
  });

  it("refuses unknown config keys", () => {
    const registry = createNodeRegistry();
    const node = registry.get("document-extractor");
    expect(node?.configSchema.safeParse({ separatr: "," }).success).toBe(false);
    expect(node?.configSchema.safeParse({}).success).toBe(true);
  });
});
