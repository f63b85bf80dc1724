/** A `multipart/form-data` body with one file field, for `app.inject`. */
export function multipartBody(
  file: { filename: string; contentType: string; content: string | Uint8Array },
  field = "file",
): { payload: Buffer; headers: { "content-type": string } } {
  const boundary = `----portflow${Math.random().toString(16).slice(2)}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${file.filename}"\r\n` +
      `Content-Type: ${file.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const content = typeof file.content === "string" ? Buffer.from(file.content) : Buffer.from(file.content);
  return {
    payload: Buffer.concat([head, content, tail]),
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  };
}
