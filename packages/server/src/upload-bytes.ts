import type { MultipartFile } from "@fastify/multipart";
import { formatByteSize } from "@portflow/nodes/ingest";
import { AppError } from "./app-error.ts";

/**
 * The bytes of one multipart file part, held to the upload limit: 413 naming
 * `PORTFLOW_MAX_UPLOAD_BYTES` when larger, 400 when empty. Uploads and chat attachments share it.
 */
export async function uploadBytes(part: MultipartFile, filename: string, maxUploadBytes: number): Promise<Buffer> {
  const bytes = await part.toBuffer().catch((error: unknown) => {
    if ((error as { code?: string }).code !== "FST_REQ_FILE_TOO_LARGE") throw error;
    throw new AppError(
      413,
      "payload_too_large",
      `"${filename}": the file is larger than the upload limit of ${formatByteSize(maxUploadBytes)} (PORTFLOW_MAX_UPLOAD_BYTES)`,
      {
        reason: "TOO_LARGE",
        limit: { name: "maxBytes", value: maxUploadBytes, unit: "bytes", setting: "PORTFLOW_MAX_UPLOAD_BYTES" },
      },
    );
  });
  if (bytes.byteLength === 0) throw new AppError(400, "bad_request", `"${filename}" is empty`);
  return bytes;
}
