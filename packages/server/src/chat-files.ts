/**
 * Files sent with a chat message: `POST /api/v1/chat` as `multipart/form-data`, the JSON body's
 * fields as text fields and each file as a part named `files`. They become the run's `sys.files`
 * (file values), under the upload rules: types PDF, DOCX, Markdown and text (415), each at most
 * `PORTFLOW_MAX_UPLOAD_BYTES` (413), not empty (400), at most `PORTFLOW_CHAT_MAX_FILES` (413).
 * @module
 */
import { type FileValue, toFileValue } from "@portflow/nodes";
import type { FastifyRequest } from "fastify";
import { AppError } from "./app-error.ts";
import { uploadBytes } from "./upload-bytes.ts";
import { uploadFilename } from "./upload-filename.ts";
import { uploadMimeType } from "./upload-type.ts";

/** The multipart part name of a chat's files. */
export const CHAT_FILES_FIELD = "files";
/** Default of `PORTFLOW_CHAT_MAX_FILES`. */
export const DEFAULT_CHAT_MAX_FILES = 5;

const TEXT_FIELDS = 20;
/** Longer than any chat field may be (a 32,000-character message in UTF-8). */
const FIELD_BYTES = 256 * 1024;

const filesOf = new WeakMap<FastifyRequest, readonly FileValue[]>();

/** The files that came with this chat request (none for a JSON body). */
export function chatFiles(request: FastifyRequest): readonly FileValue[] {
  return filesOf.get(request) ?? [];
}

function tooMany(maxFiles: number): AppError {
  return new AppError(
    413,
    "payload_too_large",
    maxFiles === 0
      ? "this server takes no files with chat messages (PORTFLOW_CHAT_MAX_FILES=0)"
      : `a chat message may carry at most ${maxFiles} files (PORTFLOW_CHAT_MAX_FILES)`,
    { limit: { name: "maxFiles", value: maxFiles, unit: "files", setting: "PORTFLOW_CHAT_MAX_FILES" } },
  );
}

function badField(path: string, message: string): AppError {
  return new AppError(400, "validation_error", `invalid request: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

/**
 * A `preValidation` hook for the chat route: for a multipart request, reads the text fields into
 * `request.body` (so the route's body schema validates them as it does JSON; `stream` as
 * `true`/`false`) and the `files` parts into {@link chatFiles}. JSON requests pass untouched.
 */
export function readChatMultipart(limits: { readonly maxUploadBytes: number; readonly maxFiles: number }) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.isMultipart()) return;
    const body: Record<string, unknown> = {};
    const files: FileValue[] = [];
    const parts = request.parts({
      // One file past the limit is read, so that it is refused with a message that names the limit.
      limits: {
        files: limits.maxFiles + 1,
        fileSize: limits.maxUploadBytes,
        fields: TEXT_FIELDS,
        fieldSize: FIELD_BYTES,
      },
    });
    for await (const part of parts) {
      if (part.type === "field") {
        if (part.valueTruncated) throw badField(`body.${part.fieldname}`, `is longer than ${FIELD_BYTES} bytes`);
        if (Object.hasOwn(body, part.fieldname)) throw badField(`body.${part.fieldname}`, "is given more than once");
        const value = part.value;
        body[part.fieldname] =
          part.fieldname === "stream" && (value === "true" || value === "false") ? value === "true" : value;
        continue;
      }
      if (part.fieldname !== CHAT_FILES_FIELD) {
        part.file.resume();
        throw badField(
          `body.${part.fieldname}`,
          `is not a field of a chat request: send files as parts named "${CHAT_FILES_FIELD}"`,
        );
      }
      if (files.length >= limits.maxFiles) {
        part.file.resume();
        throw tooMany(limits.maxFiles);
      }
      let filename: string;
      try {
        filename = uploadFilename(part.filename, undefined);
      } catch (error) {
        part.file.resume();
        throw error;
      }
      const mimeType = uploadMimeType(filename, part.mimetype);
      if (mimeType === undefined) {
        part.file.resume();
        throw new AppError(
          415,
          "unsupported_media_type",
          `"${filename}" is not a supported type: attach PDF, DOCX, Markdown or plain text`,
        );
      }
      const bytes = await uploadBytes(part, filename, limits.maxUploadBytes);
      files.push(toFileValue(filename, mimeType, bytes));
    }
    request.body = body;
    filesOf.set(request, files);
  };
}
