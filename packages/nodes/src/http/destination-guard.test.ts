import { ServiceContainer, WorkflowExecutorV2 } from "@portflow/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNodeRegistry } from "../create-node-registry.ts";
import { httpRequestWorkflow } from "../testing/http-request-workflow.ts";
import { type HttpTestServer, startHttpTestServer } from "../testing/start-http-test-server.ts";
import { HttpAllowList } from "./http-allow-list.ts";
import { refusedAddressReason } from "./refused-address.ts";

let server: HttpTestServer;
let other: HttpTestServer;
beforeAll(async () => {
  server = await startHttpTestServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  other = await startHttpTestServer((_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("other"));
});
afterAll(async () => {
  await server.close();
  await other.close();
});

async function call(url: string, allow?: readonly string[]) {
  const executor = new WorkflowExecutorV2(createNodeRegistry(allow ? { http: { allow } } : {}), {
    services: new ServiceContainer(),
  });
  return executor.run(httpRequestWorkflow({ url, timeouts: { connect_ms: 2000, read_ms: 2000, write_ms: 2000 } }));
}

describe("the http-request SSRF rule, without an allow-list", () => {
  it.each([
    ["http://127.0.0.1:1/", "127.0.0.1: a loopback address"],
    ["http://127.8.9.10/", "127.8.9.10: a loopback address"],
    ["http://[::1]/", "::1: a loopback address"],
    ["http://10.1.2.3/", "10.1.2.3: a private address"],
    ["http://172.16.0.1/", "172.16.0.1: a private address"],
    ["http://172.31.255.254/", "172.31.255.254: a private address"],
    ["http://192.168.1.1/", "192.168.1.1: a private address"],
    ["http://[fc00::1]/", "fc00::1: a private address"],
    ["http://[fd12:3456::1]/", "fd12:3456::1: a private address"],
    ["http://169.254.1.1/", "169.254.1.1: a link-local address"],
    ["http://[fe80::1]/", "fe80::1: a link-local address"],
    ["http://100.64.0.1/", "100.64.0.1: a carrier-grade NAT address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254: a cloud metadata address"],
    ["http://[fd00:ec2::254]/", "fd00:ec2::254: a cloud metadata address"],
    ["http://0.0.0.0/", "0.0.0.0: an unspecified address"],
    ["http://[::]/", "::: an unspecified address"],
    ["http://224.0.0.1/", "224.0.0.1: a multicast address"],
    ["http://[ff02::1]/", "ff02::1: a multicast address"],
    ["http://255.255.255.255/", "255.255.255.255: a reserved or broadcast address"],
    ["http://[::ffff:127.0.0.1]/", "::ffff:7f00:1: a loopback address"],
    ["http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe: a cloud metadata address"],
    ["http://2130706433/", "127.0.0.1: a loopback address"],
    ["http://0x7f.1/", "127.0.0.1: a loopback address"],
  ])("refuses %s", async (url, message) => {
    const result = await call(url);
    expect(result.status).toBe("failed");
    expect(result.error?.message).toContain(`refused to connect to ${message}; list it in PORTFLOW_HTTP_ALLOW`);
  });

  it("refuses a host name that resolves to a loopback address, after resolving it", async () => {
    const result = await call(`http://localhost:${server.port}/`);
    expect(result.status).toBe("failed");
    expect(result.error?.message).toMatch(/refused to connect to localhost \((127\.0\.0\.1|::1)\): a loopback address/);
    expect(server.requests).toHaveLength(0);
  });

  it.each(["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/"])(
    "refuses the scheme of %s",
    async (url) => {
      const result = await call(url);
      expect(result.error?.message).toContain("only http and https URLs are allowed");
    },
  );
});

describe("the allow-list", () => {
  it("opens exactly the host:port it names", async () => {
    const allow = [`127.0.0.1:${server.port}`];
    expect((await call(`${server.origin}/`, allow)).outputs.body).toBe("ok");
    const otherPort = await call(`${other.origin}/`, allow);
    expect(otherPort.error?.message).toContain("refused to connect to 127.0.0.1: a loopback address");
    expect(other.requests).toHaveLength(0);
  });

  it("opens a host name without opening its address, and a CIDR opens the addresses in it", async () => {
    expect((await call(`http://localhost:${server.port}/`, ["localhost"])).outputs.body).toBe("ok");
    expect((await call(`${server.origin}/`, ["localhost"])).error?.message).toContain("a loopback address");
    expect((await call(`${other.origin}/`, ["127.0.0.0/8"])).outputs.body).toBe("other");
    expect((await call("http://10.0.0.1/", ["127.0.0.0/8"])).error?.message).toContain("a private address");
  });

  it("refuses malformed entries, naming them", () => {
    expect(() => HttpAllowList.parse("ok.example,bad host")).toThrow('allow-list entry "bad host"');
    expect(() => HttpAllowList.parse("10.0.0.0/40")).toThrow("the prefix length is too long");
  });
});

describe("refusedAddressReason", () => {
  it("allows public addresses and refuses the neighbours of each range boundary correctly", () => {
    expect(refusedAddressReason("8.8.8.8")).toBeUndefined();
    expect(refusedAddressReason("2606:4700::1111")).toBeUndefined();
    expect(refusedAddressReason("172.32.0.1")).toBeUndefined();
    expect(refusedAddressReason("100.128.0.1")).toBeUndefined();
    expect(refusedAddressReason("0:0:0:0:0:ffff:c0a8:0101")).toBe("a private address");
  });
});
