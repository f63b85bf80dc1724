import JSZip from "jszip";
import { formatByteSize } from "./format-byte-size.ts";
import { IngestError } from "./ingest-error.ts";

/** How far a DOCX may decompress before it is refused. */
export interface DocxArchiveLimits {
  /** All parts together, decompressed. Default 64 MiB. */
  readonly maxUncompressedBytes?: number;
  /**
   * The XML parts together (`word/document.xml`, styles, numbering, notes, relationships),
   * decompressed. mammoth needs 50–110 bytes of heap per byte of XML, so this bounds the parse's
   * memory. Default 8 MiB (it parses within a 384 MiB heap).
   */
  readonly maxDocxXmlBytes?: number;
}

/** Defaults of {@link DocxArchiveLimits}. */
export const DEFAULT_DOCX_ARCHIVE_LIMITS = {
  maxUncompressedBytes: 64 * 1024 * 1024,
  maxDocxXmlBytes: 8 * 1024 * 1024,
} as const satisfies Required<DocxArchiveLimits>;

const XML_PART = /\.(xml|rels)$/i;

/**
 * Refuses a DOCX whose parts decompress past the limits, by inflating every part with a running
 * count and stopping at the first byte over (the sizes a ZIP declares can lie). Reads the archive
 * with JSZip, as mammoth does, so it sees the same parts. Nothing decompressed is kept: memory
 * stays at one inflated block (≤ 16 MiB) whatever the archive claims.
 */
export async function checkDocxArchive(
  bytes: Uint8Array,
  limits: DocxArchiveLimits = {},
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  const { maxUncompressedBytes, maxDocxXmlBytes } = { ...DEFAULT_DOCX_ARCHIVE_LIMITS, ...limits };
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new IngestError("CORRUPT", `the DOCX cannot be read (${detail})`, { cause: error });
  }
  let total = 0;
  let xml = 0;
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    const isXml = XML_PART.test(entry.name);
    await inflateCounting(entry, options.signal, (n) => {
      total += n;
      if (isXml) xml += n;
      if (xml > maxDocxXmlBytes) {
        return new IngestError(
          "ARCHIVE_TOO_LARGE",
          `the DOCX's XML (${entry.name} and the other XML parts) decompresses to more than the limit of ${formatByteSize(maxDocxXmlBytes)}`,
          { limit: { name: "maxDocxXmlBytes", value: maxDocxXmlBytes, unit: "bytes" } },
        );
      }
      if (total > maxUncompressedBytes) {
        return new IngestError(
          "ARCHIVE_TOO_LARGE",
          `the DOCX decompresses to more than the limit of ${formatByteSize(maxUncompressedBytes)}`,
          { limit: { name: "maxUncompressedBytes", value: maxUncompressedBytes, unit: "bytes" } },
        );
      }
      return undefined;
    });
  }
}

/** Inflates one part, handing each block's size to `count`; stops at the first error it returns. */
function inflateCounting(
  entry: JSZip.JSZipObject,
  signal: AbortSignal | undefined,
  count: (bytes: number) => IngestError | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = entry.nodeStream("nodebuffer");
    const stop = (error: unknown) => {
      // Paused, the inflater stops after the block in hand; nothing holds it after that.
      stream.pause();
      stream.removeAllListeners("data");
      reject(error);
    };
    stream.on("data", (chunk: Buffer) => {
      if (signal?.aborted) return stop(signal.reason);
      const over = count(chunk.byteLength);
      if (over) stop(over);
    });
    stream.on("error", (error: Error) =>
      stop(
        new IngestError("CORRUPT", `the DOCX part ${entry.name} cannot be decompressed (${error.message})`, {
          cause: error,
        }),
      ),
    );
    stream.on("end", () => resolve());
  });
}
