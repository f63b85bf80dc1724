import { formatByteSize } from "./format-byte-size.ts";
import { IngestError } from "./ingest-error.ts";

/**
 * Refuses an empty file (`EMPTY_FILE`) and one over `maxBytes` (`TOO_LARGE`, naming the limit):
 * the size rule of uploads, also applied to files a workflow extracts text from.
 *
 * @example
 * checkFileSize("faq.pdf", bytes.byteLength, DEFAULT_INGEST_LIMITS.maxBytes);
 */
export function checkFileSize(filename: string, bytes: number, maxBytes: number): void {
  if (bytes === 0) throw new IngestError("EMPTY_FILE", `${filename}: the file is empty`);
  if (bytes > maxBytes) {
    throw new IngestError(
      "TOO_LARGE",
      `${filename}: the file (${bytes} bytes) is larger than the upload limit of ${formatByteSize(maxBytes)}`,
      { limit: { name: "maxBytes", value: maxBytes, unit: "bytes" } },
    );
  }
}
