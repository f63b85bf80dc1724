import { ApiError } from "../api/api-error.ts";

/**
 * Uploads one file (multipart `file`) to `POST /api/v1/documents/upload?bot_id=`, reporting
 * progress from 0 to 1. XMLHttpRequest, because fetch reports no upload progress.
 */
export function uploadDocument(
  url: string,
  headers: Record<string, string>,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<{ message: string; duplicate: boolean }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new Error("the upload could not reach the server"));
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText) as Record<string, unknown>;
        } catch {
          return {};
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ message: String(body.message ?? "uploaded"), duplicate: body.duplicate === true });
        return;
      }
      const error = (body.error ?? {}) as { code?: string; message?: string; details?: unknown };
      reject(new ApiError(xhr.status, error.code ?? "http_error", error.message ?? `${xhr.status}`, error.details));
    };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}
