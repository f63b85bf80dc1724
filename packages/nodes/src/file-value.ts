import { z } from "zod";

/**
 * The one shape of a file passed between nodes (a `file` port): what `http-request` returns in
 * `files` for a binary response and reads from its `file` input for a `binary` or `form-data` body.
 *
 * @example
 * { "filename": "logo.png", "mime_type": "image/png", "size": 1234, "data_base64": "iVBORw0KGgo..." }
 */
export interface FileValue {
  readonly filename: string;
  readonly mime_type: string;
  /** Bytes of the decoded data. */
  readonly size: number;
  readonly data_base64: string;
}

/** Validates a {@link FileValue} (a node input); `size` must match the decoded data. */
export const fileValueSchema = z
  .object({
    filename: z.string().min(1).max(255),
    mime_type: z.string().min(1).max(255),
    size: z.number().int().min(0),
    data_base64: z.base64(),
  })
  .refine((file) => Buffer.byteLength(file.data_base64, "base64") === file.size, {
    message: "size must equal the number of bytes in data_base64",
    path: ["size"],
  });

/** A {@link FileValue} holding `bytes`. */
export function toFileValue(filename: string, mimeType: string, bytes: Uint8Array): FileValue {
  return {
    filename,
    mime_type: mimeType,
    size: bytes.byteLength,
    data_base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"),
  };
}

/** The bytes of a {@link FileValue}. */
export function fileValueBytes(file: FileValue): Buffer {
  return Buffer.from(file.data_base64, "base64");
}
