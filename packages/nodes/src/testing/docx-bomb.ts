/**
 * `@portflow/nodes/testing/docx-bomb` — a DOCX zip bomb for tests (fflate, a dev dependency, so
 * this is not part of the `./testing` barrel).
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
