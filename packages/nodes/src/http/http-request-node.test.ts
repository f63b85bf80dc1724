import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { type RunResult, ServiceContainer, WorkflowExecutorV2 } from "@portflow/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeRegistry } from "../create-node-registry.ts";
import type { NodeRegistryOptions } from "../node-registry-options.ts";
import { type SecretResolver, SecretResolverService } from "../secret-resolver.ts";
import { httpRequestWorkflow } from "../testing/http-request-workflow.ts";
import { type HttpTestServer, startHttpTestServer } from "../testing/start-http-test-server.ts";
import { startUnacceptingListener } from "../testing/start-unaccepting-listener.ts";

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 250, 251]);
let flakyFailuresLeft = 0;
let server: HttpTestServer;

beforeAll(async () => {
  server = await startHttpTestServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/text") return res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("plain words");
    if (path === "/binary") {
      return res
        .writeHead(200, { "content-type": "image/png", "content-disposition": 'attachment; filename="logo.png"' })
        .end(PNG);
    }
    if (path === "/big") return res.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(2048));
    if (path === "/big-chunked") {
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 4; i++) res.write("y".repeat(512));
      return res.end();
    }
    if (path === "/hang") return undefined; // never answers
    if (path === "/redirect") return res.writeHead(302, { location: "/echo?from=redirect" }).end();
    if (path === "/see-other") return res.writeHead(303, { location: "/echo" }).end();
    if (path === "/loop") return res.writeHead(302, { location: "/loop" }).end();
    if (path === "/to-metadata")
      return res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
    if (path === "/to-localhost") {
      return res.writeHead(307, { location: `http://localhost:${server.port}/echo` }).end();
    }
    if (path === "/flaky") {
      if (flakyFailuresLeft > 0) {
        flakyFailuresLeft--;
        return res.writeHead(503, { "content-type": "text/plain" }).end("try later");
      }
      return res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    }
    if (path === "/fail-echo") {
      return res.writeHead(500, { "content-type": "text/plain" }).end(`bad token ${req.headers.authorization}`);
    }
    if (path === "/not-found")
      return res.writeHead(404, { "content-type": "application/json" }).end('{"error":"nope"}');
    return res.writeHead(200, { "content-type": "application/json", "x-served-by": "echo" }).end(
      JSON.stringify({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: req.body.toString("utf8"),
        body_base64: req.body.toString("base64"),
      }),
    );
  });
});
afterAll(() => server.close());

function executor(options: NodeRegistryOptions = { http: { allow: [`127.0.0.1:${server.port}`] } }) {
  return new WorkflowExecutorV2(createNodeRegistry(options), { services: new ServiceContainer() });
}

function secrets(values: Record<string, string>): (scope: ServiceContainer) => void {
  const resolver: SecretResolver = {
    resolve: async (names) => Object.fromEntries(names.filter((n) => n in values).map((n) => [n, values[n] as string])),
  };
  return (scope) => scope.register(SecretResolverService, resolver);
}

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  body_base64: string;
}

function echoOf(result: RunResult): Echo {
  expect(result.error).toBeUndefined();
  expect(result.status).toBe("succeeded");
  return result.outputs.json as Echo;
}

function callRecord(result: RunResult) {
  const record = result.nodes.find((n) => n.nodeId === "call");
  if (!record) throw new Error("no record of the http-request node");
  return record;
}

const upload = {
  filename: "photo.png",
  mime_type: "image/png",
  size: PNG.byteLength,
  data_base64: PNG.toString("base64"),
};

describe("http-request in a workflow run", () => {
  it("renders the URL, query and headers from its inputs and sends bearer auth", async () => {
    const result = await executor().run(
      httpRequestWorkflow({
        url: `${server.origin}/echo/{{city}}`,
        query: { units: "metric", q: "{{city}} centre" },
        headers: { "X-City": "{{city}}" },
        auth: { type: "bearer", token: "tok-{{city}}" },
      }),
      { city: "Oslo" },
    );
    const echo = echoOf(result);
    expect(echo.method).toBe("GET");
    expect(echo.url).toBe("/echo/Oslo?units=metric&q=Oslo+centre");
    expect(echo.headers["x-city"]).toBe("Oslo");
    expect(echo.headers.authorization).toBe("Bearer tok-Oslo");
    expect(result.outputs.status_code).toBe(200);
    expect((result.outputs.headers as Record<string, string>)["x-served-by"]).toBe("echo");
    expect(callRecord(result).processData).toMatchObject({
      method: "GET",
      url: `${server.origin}/echo/Oslo?units=metric&q=Oslo%20centre`,
      status_code: 200,
      body_kind: "json",
    });
  });

  it.each([
    [
      "POST",
      { type: "json", data: { city: "{{city}}", n: [1, true, null] } },
      "application/json",
      '{"city":"Oslo","n":[1,true,null]}',
    ],
    [
      "PUT",
      { type: "x-www-form-urlencoded", data: { city: "{{city}}", a: "b&c" } },
      "application/x-www-form-urlencoded",
      "city=Oslo&a=b%26c",
    ],
    ["PATCH", { type: "raw-text", data: "hello {{city}}", content_type: "text/csv" }, "text/csv", "hello Oslo"],
    ["DELETE", { type: "raw-text", data: "bye" }, "text/plain; charset=utf-8", "bye"],
  ])("sends a %s with a %o body", async (method, body, contentType, sent) => {
    const echo = echoOf(
      await executor().run(httpRequestWorkflow({ method, url: `${server.origin}/echo`, body }), { city: "Oslo" }),
    );
    expect(echo.method).toBe(method);
    expect(echo.headers["content-type"]).toBe(contentType);
    expect(echo.body).toBe(sent);
  });

  it("sends the file input as a binary body and as a form-data part", async () => {
    const binary = echoOf(
      await executor().run(
        httpRequestWorkflow(
          { method: "POST", url: `${server.origin}/echo`, body: { type: "binary" } },
          {},
          { withFile: true },
        ),
        { upload },
      ),
    );
    expect(binary.headers["content-type"]).toBe("image/png");
    expect(binary.body_base64).toBe(PNG.toString("base64"));

    const form = echoOf(
      await executor().run(
        httpRequestWorkflow(
          {
            method: "POST",
            url: `${server.origin}/echo`,
            body: {
              type: "form-data",
              data: [
                { name: "note", value: "for {{city}}" },
                { name: "photo", file: true },
              ],
            },
          },
          {},
          { withFile: true },
        ),
        { city: "Oslo", upload },
      ),
    );
    expect(form.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    const raw = Buffer.from(form.body_base64, "base64");
    expect(raw.toString("latin1")).toContain('name="note"\r\n\r\nfor Oslo\r\n');
    expect(raw.toString("latin1")).toContain('name="photo"; filename="photo.png"\r\nContent-Type: image/png\r\n\r\n');
    expect(raw.includes(PNG)).toBe(true);
  });

  it("sends basic auth and a custom auth header", async () => {
    const basic = echoOf(
      await executor().run(
        httpRequestWorkflow({
          url: `${server.origin}/echo`,
          auth: { type: "basic", username: "ann", password: "p:w" },
        }),
      ),
    );
    expect(basic.headers.authorization).toBe(`Basic ${Buffer.from("ann:p:w").toString("base64")}`);
    const custom = echoOf(
      await executor().run(
        httpRequestWorkflow({
          url: `${server.origin}/echo`,
          auth: { type: "header", name: "X-Api-Key", value: "k-1" },
        }),
      ),
    );
    expect(custom.headers["x-api-key"]).toBe("k-1");
  });

  it("returns text as body with json null, and binary as a file", async () => {
    const text = await executor().run(httpRequestWorkflow({ url: `${server.origin}/text` }));
    expect(text.outputs).toMatchObject({ status_code: 200, body: "plain words", json: null, files: [] });
    const binary = await executor().run(httpRequestWorkflow({ url: `${server.origin}/binary` }));
    expect(binary.outputs).toMatchObject({ body: "", json: null });
    expect(binary.outputs.files).toEqual([
      { filename: "logo.png", mime_type: "image/png", size: PNG.byteLength, data_base64: PNG.toString("base64") },
    ]);
  });

  it("returns a 4xx answer as outputs, without failing", async () => {
    const result = await executor().run(httpRequestWorkflow({ url: `${server.origin}/not-found` }));
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toMatchObject({ status_code: 404, json: { error: "nope" } });
  });

  it("fails on the read timeout, naming it", async () => {
    const result = await executor().run(
      httpRequestWorkflow({
        url: `${server.origin}/hang`,
        timeouts: { connect_ms: 1000, read_ms: 150, write_ms: 1000 },
      }),
    );
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain("timed out after 150 ms (timeouts.read_ms)");
  });

  it("fails on the connect timeout, naming it, when the server never accepts the connection", async () => {
    const listener = await startUnacceptingListener();
    try {
      const started = performance.now();
      const result = await executor({ http: { allow: [`127.0.0.1:${listener.port}`] } }).run(
        httpRequestWorkflow({
          url: `http://127.0.0.1:${listener.port}/`,
          timeouts: { connect_ms: 300, read_ms: 30_000, write_ms: 30_000 },
        }),
      );
      const elapsed = performance.now() - started;
      expect(result.status).toBe("failed");
      expect(callRecord(result).error).toEqual({
        code: "CONNECT_TIMEOUT",
        message: `http-request node "call": connecting timed out after 300 ms (timeouts.connect_ms)`,
      });
      // the connect timeout, not the 30 s read timeout, ended it
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      await listener.close();
    }
  });

  it("fails on the write timeout when the server does not read the body", async () => {
    const sockets: Socket[] = [];
    const stalled: Server = createNetServer((socket) => {
      sockets.push(socket);
      socket.pause(); // never reads: the upload stalls once the socket buffers fill
    });
    await new Promise<void>((resolve) => stalled.listen(0, "127.0.0.1", resolve));
    const port = (stalled.address() as { port: number }).port;
    const big = Buffer.alloc(32 * 1024 * 1024, 7);
    const file = {
      filename: "big.bin",
      mime_type: "application/octet-stream",
      size: big.byteLength,
      data_base64: big.toString("base64"),
    };
    try {
      const result = await executor({ http: { allow: [`127.0.0.1:${port}`] } }).run(
        httpRequestWorkflow(
          {
            method: "POST",
            url: `http://127.0.0.1:${port}/upload`,
            body: { type: "binary" },
            timeouts: { connect_ms: 1000, read_ms: 60_000, write_ms: 300 },
          },
          {},
          { withFile: true },
        ),
        { upload: file },
      );
      expect(result.status).toBe("failed");
      expect(result.error?.message).toContain("sending the request body timed out after 300 ms (timeouts.write_ms)");
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => stalled.close(resolve));
    }
  });

  it("refuses a response over the size cap, with or without Content-Length, naming the limit", async () => {
    const capped = executor({ http: { allow: [`127.0.0.1:${server.port}`], maxResponseBytes: 1024 } });
    for (const path of ["/big", "/big-chunked"]) {
      const result = await capped.run(httpRequestWorkflow({ url: `${server.origin}${path}` }));
      expect(result.status).toBe("failed");
      expect(result.error?.message).toContain("exceeds the 1 KiB limit");
    }
    const lowered = await executor().run(httpRequestWorkflow({ url: `${server.origin}/big`, max_response_bytes: 100 }));
    expect(lowered.error?.message).toContain("exceeds the 100 bytes limit");
  });

  it("follows redirects, turning a 303 into a GET and recording each hop", async () => {
    const result = await executor().run(httpRequestWorkflow({ url: `${server.origin}/redirect` }));
    expect(echoOf(result).url).toBe("/echo?from=redirect");
    expect(callRecord(result).processData.redirects).toEqual([`302 ${server.origin}/echo?from=redirect`]);
    const seeOther = await executor().run(
      httpRequestWorkflow({ method: "POST", url: `${server.origin}/see-other`, body: { type: "raw-text", data: "x" } }),
    );
    expect(echoOf(seeOther)).toMatchObject({ method: "GET", body: "" });
  });

  it("refuses a redirect to a refused address, and stops after max_redirects", async () => {
    const metadata = await executor().run(httpRequestWorkflow({ url: `${server.origin}/to-metadata` }));
    expect(metadata.status).toBe("failed");
    expect(metadata.error?.message).toContain("refused to connect to 169.254.169.254: a cloud metadata address");
    const loop = await executor().run(httpRequestWorkflow({ url: `${server.origin}/loop`, max_redirects: 2 }));
    expect(loop.error?.message).toContain("too many redirects (more than 2, max_redirects)");
  });

  it("drops credentials when a redirect leaves the origin", async () => {
    const result = await executor({ http: { allow: [`127.0.0.1:${server.port}`, "localhost"] } }).run(
      httpRequestWorkflow({
        url: `${server.origin}/to-localhost`,
        headers: { "X-Trace": "t1" },
        auth: { type: "header", name: "X-Api-Key", value: "k-1" },
      }),
    );
    const echo = echoOf(result);
    expect(echo.headers.host).toBe(`localhost:${server.port}`);
    expect(echo.headers["x-trace"]).toBe("t1");
    expect(echo.headers["x-api-key"]).toBeUndefined();
  });

  it("retries a 503 through the node's retry policy, and fails without one", async () => {
    flakyFailuresLeft = 2;
    const retried = await executor().run(
      httpRequestWorkflow({ url: `${server.origin}/flaky` }, { retry: { max_attempts: 3, initial_delay_ms: 1 } }),
    );
    expect(retried.status).toBe("succeeded");
    expect(retried.outputs.json).toEqual({ ok: true });
    expect(callRecord(retried).attempts).toBe(3);

    flakyFailuresLeft = 1;
    const once = await executor().run(httpRequestWorkflow({ url: `${server.origin}/flaky` }));
    expect(once.status).toBe("failed");
    expect(once.error?.message).toContain("the server answered 503: try later");
    flakyFailuresLeft = 0;
  });

  it("sends secrets and shows them only as *** in process data, outputs and errors", async () => {
    const value = "s3cr3t-value-9876";
    const result = await executor().run(
      httpRequestWorkflow({
        url: `${server.origin}/echo?k={{secret.API_KEY}}`,
        auth: { type: "bearer", token: ["secret", "API_KEY"] },
      }),
      {},
      { configureServices: secrets({ API_KEY: value }) },
    );
    expect(result.status).toBe("succeeded");
    const received = server.requests.at(-1);
    expect(received?.headers.authorization).toBe(`Bearer ${value}`);
    expect(received?.url).toBe(`/echo?k=${value}`);
    expect(JSON.stringify(result)).not.toContain(value);
    expect(callRecord(result).processData).toMatchObject({
      url: `${server.origin}/echo?k=***`,
      request_headers: { authorization: "Bearer ***" },
    });
    expect((result.outputs.json as Echo).headers.authorization).toBe("Bearer ***");

    const failed = await executor().run(
      httpRequestWorkflow({
        url: `${server.origin}/fail-echo`,
        auth: { type: "bearer", token: ["secret", "API_KEY"] },
      }),
      {},
      { configureServices: secrets({ API_KEY: value }) },
    );
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toContain("the server answered 500: bad token Bearer ***");
    expect(JSON.stringify(failed)).not.toContain(value);

    const missing = await executor().run(
      httpRequestWorkflow({
        url: `${server.origin}/echo`,
        headers: { a: "{{secret.NOPE}}", b: ["secret", "API_KEY"] },
      }),
      {},
      { configureServices: secrets({ API_KEY: value }) },
    );
    expect(missing.status).toBe("failed");
    expect(missing.error?.message).toContain('secret "NOPE" referenced by node "call" is not set for this bot');
  });
});
