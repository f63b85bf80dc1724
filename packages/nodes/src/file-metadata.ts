import { createHash } from "node:crypto";
import type { FileValue } from "./file-value.ts";

/** What is kept of a {@link FileValue} where its bytes do not belong (run records, logs). */
export interface FileMetadata {
  readonly filename: string;
  readonly mime_type: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes: tells files apart without keeping them. */
  readonly sha256: string;
}

function isFileValue(value: unknown): value is FileValue {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.filename === "string" &&
    typeof v.mime_type === "string" &&
    typeof v.size === "number" &&
    typeof v.data_base64 === "string"
  );
}

/** A file's metadata: name, type, size and SHA-256. */
export function fileMetadata(file: FileValue): FileMetadata {
  const sha256 = createHash("sha256").update(Buffer.from(file.data_base64, "base64")).digest("hex");
  return { filename: file.filename, mime_type: file.mime_type, size: file.size, sha256 };
}

/**
 * `value` with every file value in it (at any depth) replaced by its {@link FileMetadata}; other
 * values are kept as they are (the same object when nothing in it is a file).
 *
 * @example
 * withFileMetadata({ files: [pdf], query: "hi" }); // { files: [{ filename, mime_type, size, sha256 }], query: "hi" }
 */
export function withFileMetadata<T>(value: T): T {
  return replaceFiles(value, 0) as T;
}

const MAX_DEPTH = 64;

function replaceFiles(value: unknown, depth: number): unknown {
  if (typeof value !== "object" || value === null || depth > MAX_DEPTH) return value;
  if (isFileValue(value)) return fileMetadata(value);
  if (Array.isArray(value)) {
    const items = value.map((item) => replaceFiles(item, depth + 1));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const replaced = replaceFiles(item, depth + 1);
    if (replaced !== item) changed = true;
    return [key, replaced] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}
