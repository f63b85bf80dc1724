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
