import type { Readable } from "node:stream";
import { formatByteSize } from "../ingest/format-byte-size.ts";

/** A response was larger than the cap. */
export class ResponseTooLargeError extends Error {
  override readonly name = "ResponseTooLargeError";
  readonly code = "RESPONSE_TOO_LARGE";
  constructor(readonly limit: number) {
    super(
      `the response body exceeds the ${formatByteSize(limit)} limit (max_response_bytes / PORTFLOW_HTTP_MAX_RESPONSE_BYTES)`,
    );
  }
}

/** Reads a body up to `limit` bytes; destroys the stream and throws ResponseTooLargeError past it. */
export async function readCappedBody(body: Readable, limit: number, declaredLength?: number): Promise<Buffer> {
  if (declaredLength !== undefined && declaredLength > limit) {
    body.destroy();
    throw new ResponseTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.byteLength;
    if (size > limit) {
      body.destroy();
      throw new ResponseTooLargeError(limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, size);
}

/** How a response body is given to the workflow, by its media type. */
export type BodyKind = "json" | "text" | "binary";

/** JSON for `application/json` and `+json`; text for `text/*`, XML, JS, forms; else binary (or text when UTF-8 without a type). */
export function bodyKindOf(mimeType: string | undefined, bytes: Buffer): BodyKind {
  if (mimeType === undefined || mimeType === "") return isUtf8(bytes) ? "text" : "binary";
  if (mimeType === "application/json" || mimeType.endsWith("+json")) return "json";
  if (
    mimeType.startsWith("text/") ||
    mimeType.endsWith("+xml") ||
    ["application/xml", "application/javascript", "application/x-www-form-urlencoded"].includes(mimeType)
  ) {
    return "text";
  }
  return "binary";
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The file name a response names (`Content-Disposition`), else the URL's last path segment, else `response`. */
export function responseFilename(disposition: string | undefined, url: URL): string {
  const star = disposition ? /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition) : null;
  const plain = disposition ? /filename\s*=\s*"?([^";]+)"?/.exec(disposition) : null;
  let name: string | undefined;
  try {
    name = star?.[1] ? decodeURIComponent(star[1]) : plain?.[1];
  } catch {
    name = plain?.[1];
  }
  if (name === undefined) {
    const last = url.pathname.split("/").pop() ?? "";
    try {
      name = decodeURIComponent(last);
    } catch {
      name = last;
    }
  }
  const safe = name
    .replace(/[\\/]/g, "_")
    .replace(/\p{Cc}/gu, "_")
    .trim()
    .slice(0, 255);
  return safe === "" ? "response" : safe;
}
