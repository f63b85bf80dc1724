/**
 * A `multipart/form-data` body with one file field, for `app.inject`. `disposition` replaces the
 * part's whole Content-Disposition value (e.g. to send RFC 6266 `filename*`).
 */
export function multipartBody(
  file: { filename: string; contentType: string; content: string | Uint8Array; disposition?: string },
  field = "file",
): { payload: Buffer; headers: { "content-type": string } } {
  const boundary = `----portflow${Math.random().toString(16).slice(2)}`;
  const disposition = file.disposition ?? `form-data; name="${field}"; filename="${file.filename}"`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: ${disposition}\r\n` + `Content-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const content = typeof file.content === "string" ? Buffer.from(file.content) : Buffer.from(file.content);
  return {
    payload: Buffer.concat([head, content, tail]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}

/** One file part of {@link multipartForm}. */
export interface MultipartFilePart {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly content: string | Uint8Array;
}

/**
 * A `multipart/form-data` body with text fields first, then file parts, for `app.inject` or fetch.
 *
 * @example
 * multipartForm({ bot_id: "b1", message: "Summarise" }, [{ field: "files", filename: "a.pdf", contentType: "application/pdf", content: pdf }]);
 */
export function multipartForm(
  fields: Readonly<Record<string, string>>,
  files: readonly MultipartFilePart[] = [],
): { payload: Buffer; headers: { "content-type": string } } {
  const boundary = `----portflow${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\n` +
          `Content-Type: ${file.contentType}\r\n\r\n`,
      ),
      Buffer.from(file.content),
      Buffer.from("\r\n"),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}
