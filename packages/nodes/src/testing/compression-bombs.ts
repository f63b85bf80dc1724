/**
 * `@portflow/nodes/testing/compression-bombs` — a DOCX zip bomb and a PDF whose content stream
 * inflates hundreds of times, for tests (fflate, a dev dependency, so this is not part of the
 * `./testing` barrel).
 * @module
 */
import { constants, crc32, deflateRawSync } from "node:zlib";
import { strToU8, Zip, ZipDeflate, type ZipInputFile } from "fflate";

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const RELATIONSHIPS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;
const HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`;
const TAIL = "</w:body></w:document>";
const PARAGRAPH = "<w:p><w:r><w:t>Refunds are paid within five working days of the return.</w:t></w:r></w:p>";
const BLOCK_BYTES = 1024 * 1024;

/** What {@link makeDocxBomb} built. */
export interface DocxBomb {
  /** The .docx file. */
  readonly bytes: Uint8Array;
  /** How large `word/document.xml` is once decompressed. */
  readonly documentXmlBytes: number;
}

/**
 * A valid DOCX whose `word/document.xml` is `documentXmlBytes` (less a paragraph) of repeated `<w:p>`
 * paragraphs, a few hundred times smaller compressed. It is built without ever holding the
 * XML: one 1 MiB block is deflated once (sync-flushed, so copies of it chain into one valid
 * deflate stream) and repeated; the CRC is computed block by block.
 *
 * `declaredBytes` makes the ZIP's headers lie about the decompressed size.
 *
 * @example
 * const bomb = makeDocxBomb(300 * 1024 * 1024); // ~0.3 MB on the wire
 */
export function makeDocxBomb(documentXmlBytes: number, options: { declaredBytes?: number } = {}): DocxBomb {
  const block = strToU8(PARAGRAPH.repeat(Math.ceil(BLOCK_BYTES / PARAGRAPH.length)));
  const head = strToU8(HEAD);
  const tail = strToU8(TAIL);
  const body = Math.max(0, documentXmlBytes - head.length - tail.length);
  const repeats = Math.floor(body / block.length);
  // whole paragraphs only, so the XML stays well-formed
  const rest = block.subarray(0, body - repeats * block.length - ((body % block.length) % PARAGRAPH.length));
  const sync = { finishFlush: constants.Z_SYNC_FLUSH, level: 9 };
  const headDeflated = deflateRawSync(head, sync);
  const blockDeflated = deflateRawSync(block, sync);
  const restDeflated = deflateRawSync(rest, sync);
  const tailDeflated = deflateRawSync(tail, { level: 9 }); // the final block
  let crc = crc32(head);
  for (let i = 0; i < repeats; i++) crc = crc32(block, crc);
  crc = crc32(tail, crc32(rest, crc));
  const size = head.length + repeats * block.length + rest.length + tail.length;

  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const [name, text] of [
    ["[Content_Types].xml", CONTENT_TYPES],
    ["_rels/.rels", RELATIONSHIPS],
  ] as const) {
    const file = new ZipDeflate(name, { level: 9 });
    zip.add(file);
    file.push(strToU8(text), true);
  }
  // A ZipInputFile fed ready-made deflate data (fflate's documented way to bring one's own compressor).
  const document: ZipInputFile = {
    filename: "word/document.xml",
    compression: 8,
    size: options.declaredBytes ?? size,
    crc,
  };
  zip.add(document);
  const push = (data: Uint8Array<ArrayBuffer>, final = false) => document.ondata?.(null, data, final);
  push(headDeflated);
  for (let i = 0; i < repeats; i++) push(blockDeflated);
  push(restDeflated);
  push(tailDeflated, true);
  zip.end();
  return { bytes: new Uint8Array(Buffer.concat(chunks)), documentXmlBytes: size };
}

/**
 * A one-page PDF whose FlateDecode content stream inflates to about `contentBytes` of text
 * operators, a few hundred times smaller compressed (built like {@link makeDocxBomb}). PDF.js
 * decodes such a stream into typed arrays, which a worker's heap cap does not count.
 */
export function makePdfBomb(contentBytes: number): Uint8Array {
  const line = "BT /F1 12 Tf 72 700 Td (Refunds are paid within five working days of the return.) Tj ET\n";
  const block = Buffer.from(line.repeat(Math.ceil(BLOCK_BYTES / line.length)));
  const segment = deflateRawSync(block, { finishFlush: constants.Z_SYNC_FLUSH, level: 9 });
  const repeats = Math.max(1, Math.floor(contentBytes / block.length));
  // zlib header, the blocks, a final empty block; PDF.js does not check the Adler-32, left zero here
  const stream = Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...Array.from({ length: repeats }, () => segment),
    deflateRawSync(Buffer.alloc(0)),
    Buffer.alloc(4),
  ]);
  const parts: Buffer[] = [Buffer.from("%PDF-1.4\n", "latin1")];
  const offsets: number[] = [];
  let length = parts[0]?.length ?? 0;
  const add = (chunk: Buffer) => {
    parts.push(chunk);
    length += chunk.length;
  };
  const object = (id: number, ...body: Buffer[]) => {
    offsets[id] = length;
    add(Buffer.from(`${id} 0 obj\n`, "latin1"));
    for (const chunk of body) add(chunk);
    add(Buffer.from("\nendobj\n", "latin1"));
  };
  const text = (s: string) => Buffer.from(s, "latin1");
  object(1, text("<< /Type /Catalog /Pages 2 0 R >>"));
  object(2, text("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"));
  object(
    3,
    text(
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    ),
  );
  object(4, text(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`), stream, text("\nendstream"));
  object(5, text("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"));
  const xref = length;
  const entries = [1, 2, 3, 4, 5].map((id) => `${String(offsets[id]).padStart(10, "0")} 00000 n \n`).join("");
  add(
    text(`xref\n0 6\n0000000000 65535 f \n${entries}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`),
  );
  return new Uint8Array(Buffer.concat(parts));
}
