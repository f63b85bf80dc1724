import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A scripted fault of a fake model API. Each applies to the next `times` requests (default 1;
 * `Infinity` for a persistent one), in the order scripted.
 */
export type FakeModelFault =
  /** An HTTP error with the API's error body (429, 503, 529, 400, ...). */
  | {
      readonly kind: "error";
      readonly status: number;
      readonly type?: string;
      readonly message?: string;
      readonly times?: number;
    }
  /** Takes the request and never answers (until the client gives up or the fake closes): a timeout. */
  | { readonly kind: "hang"; readonly times?: number }
  /** Streaming only: an SSE error event after `afterDeltas` text deltas. */
  | {
      readonly kind: "mid-stream-error";
      readonly afterDeltas?: number;
      readonly type?: string;
      readonly message?: string;
      readonly times?: number;
    };

/** One request a fake model API received. */
export interface FakeModelRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The HTTP status answered (0 while hanging). */
  status: number;
  fault?: FakeModelFault["kind"];
}

/** What a route handler gets: the parsed body, the response, and the fault that applies (if any). */
export interface FakeModelExchange {
  readonly request: FakeModelRequest;
  readonly res: ServerResponse;
  readonly fault: Extract<FakeModelFault, { kind: "mid-stream-error" }> | undefined;
  json(status: number, payload: unknown): void;
  /** Starts an SSE response; `send` returns false once the client has gone. */
  sse(): { send(event: string | undefined, data: unknown): boolean; end(): void };
}

/** A running fake model API. */
export interface FakeModelServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Every request received, in order. */
  readonly requests: FakeModelRequest[];
  script(...faults: FakeModelFault[]): void;
  /** Drops the scripted faults and the request log. */
  reset(): void;
  close(): Promise<void>;
}

/** How a particular API words things. */
export interface FakeModelApi {
  /** The JSON body of an HTTP error. */
  errorBody(status: number, type: string | undefined, message: string): unknown;
  /** Answers a request no fault took; false for an unknown route. */
  handle(exchange: FakeModelExchange): Promise<boolean>;
}

/**
 * An HTTP/1.1 server on 127.0.0.1 for a fake model API: request log, scripted faults (errors carry
 * `retry-after-ms: 1`, so the SDKs' own retries are quick), hanging requests, SSE helpers.
 */
export async function startFakeModelServer(api: FakeModelApi): Promise<FakeModelServer> {
  const requests: FakeModelRequest[] = [];
  const faults: { fault: FakeModelFault; remaining: number }[] = [];
  const open = new Set<ServerResponse>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown = raw;
    try {
      body = raw === "" ? {} : JSON.parse(raw);
    } catch {
      // kept as text: the route answers 400
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const request: FakeModelRequest = { method: req.method ?? "", path: req.url ?? "", headers, body, status: 0 };
    requests.push(request);
    const json = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      request.status = status;
      res.writeHead(status, { "content-type": "application/json", ...extra });
      res.end(JSON.stringify(payload));
    };
    const entry = faults.find((f) => f.remaining > 0);
    if (entry) entry.remaining--;
    const fault = entry?.fault;
    if (fault) request.fault = fault.kind;
    if (fault?.kind === "hang") return;
    if (fault?.kind === "error") {
      const message = fault.message ?? `HTTP ${fault.status} from the fake`;
      json(fault.status, api.errorBody(fault.status, fault.type, message), { "retry-after-ms": "1" });
      return;
    }
    const exchange: FakeModelExchange = {
      request,
      res,
      fault: fault?.kind === "mid-stream-error" ? fault : undefined,
      json: (status, payload) => json(status, payload),
      sse: () => {
        request.status = 200;
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        return {
          send: (event, data) => {
            if (res.destroyed || res.writableEnded) return false;
            const payload = typeof data === "string" ? data : JSON.stringify(data);
            res.write(`${event !== undefined ? `event: ${event}\n` : ""}data: ${payload}\n\n`);
            return true;
          },
          end: () => res.end(),
        };
      },
    };
    if (!(await api.handle(exchange)))
      json(404, api.errorBody(404, "not_found_error", `no route ${req.method} ${req.url}`));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    script(...added) {
      for (const fault of added) faults.push({ fault, remaining: fault.times ?? 1 });
    },
    reset() {
      faults.length = 0;
      requests.length = 0;
    },
    close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Splits by code points, so a delta never ends inside a surrogate pair. */
export function textDeltas(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(""));
  return out;
}

/** A rough token count (4 characters a token), for usage figures. */
export function fakeTokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
