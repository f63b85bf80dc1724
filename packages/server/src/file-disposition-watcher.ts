import type { IncomingMessage } from "node:http";

/** What {@link watchFileDisposition} saw. */
export interface FileDispositionWatcher {
  /** The raw `Content-Disposition` of the first part named `fieldname` that carries a file name. */
  disposition(fieldname: string): string | undefined;
  /** Stops watching (the body keeps flowing to whoever else reads it). */
  stop(): void;
}

/** Part headers come first; a file part behind more than this many bytes of fields is not looked for. */
const WATCHED_BYTES = 64 * 1024;

function boundaryOf(contentType: string | undefined): string | undefined {
  const match = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType ?? "");
  return match?.[1] ?? match?.[2];
}

/**
 * Watches the start of a multipart request body for its parts' `Content-Disposition` headers.
 * busboy hands @fastify/multipart only one `filename` (the plain one when a client sends both,
 * as clients do for non-ASCII names); the RFC 6266 `filename*` it drops is read from here.
 * Call it before `request.file()`: it listens to the raw body without consuming it (the body
 * stays paused until @fastify/multipart pipes it), and keeps at most the first 64 KiB.
 */
export function watchFileDisposition(raw: IncomingMessage, contentType: string | undefined): FileDispositionWatcher {
  const boundary = boundaryOf(contentType);
  const chunks: Buffer[] = [];
  let seen = 0;
  const onData = (chunk: Buffer) => {
    if (seen < WATCHED_BYTES) chunks.push(chunk.subarray(0, WATCHED_BYTES - seen));
    seen += chunk.byteLength;
    if (seen >= WATCHED_BYTES) raw.off("data", onData);
  };
  if (boundary !== undefined) {
    raw.on("data", onData);
    raw.pause(); // on("data") would start the flow before @fastify/multipart's pipe is there to receive it
  }
  return {
    stop: () => raw.off("data", onData),
    disposition(fieldname) {
      if (boundary === undefined) return undefined;
      // latin1 keeps bytes as they are: filename* is ASCII (percent-encoded) anyway
      const text = Buffer.concat(chunks).toString("latin1");
      const delimiter = `--${boundary}\r\n`;
      for (let at = text.indexOf(delimiter); at !== -1; ) {
        const start = at + delimiter.length;
        const end = text.indexOf("\r\n\r\n", start);
        if (end === -1) return undefined;
        const value = /^content-disposition:[ \t]*(.*)$/im.exec(text.slice(start, end))?.[1];
        if (value !== undefined && /\bfilename\*?\s*=/i.test(value) && nameOf(value) === fieldname) return value;
        at = text.indexOf(`\r\n${delimiter}`, end);
        if (at !== -1) at += 2;
      }
      return undefined;
    },
  };
}

function nameOf(disposition: string): string | undefined {
  const match = /;\s*name\s*=\s*(?:"([^"]*)"|([^\s;]+))/i.exec(disposition);
  return match?.[1] ?? match?.[2];
}
