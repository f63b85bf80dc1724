import { type HttpTestServer, startHttpTestServer } from "@portflow/nodes/testing";

/** A local API for http-request nodes that counts the calls to each path. */
export interface CountingHttpApi extends HttpTestServer {
  /** Calls per path (without the leading `/` and the query) since the last `calls.clear()`. */
  readonly calls: Map<string, number>;
}

/**
 * Starts an API on which `/PATH` answers 200 `PATH-callN` (the Nth call to PATH), except the
 * paths in `failing`, which answer 500 with the body given for them (also counted).
 *
 * @example
 * const api = await startCountingHttpApi({ step3: "step3 is down" });
 * // GET /step1 → 200 "step1-call1"; GET /step3 → 500 "step3 is down"
 */
export async function startCountingHttpApi(failing: Readonly<Record<string, string>> = {}): Promise<CountingHttpApi> {
  const calls = new Map<string, number>();
  const server = await startHttpTestServer((req, res) => {
    const path = (req.url.split("?")[0] ?? "").slice(1);
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    const failure = Object.hasOwn(failing, path) ? failing[path] : undefined;
    if (failure !== undefined) res.writeHead(500).end(failure);
    else res.writeHead(200, { "content-type": "text/plain" }).end(`${path}-call${n}`);
  });
  return Object.assign(server, { calls });
}
