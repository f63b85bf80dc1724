/**
 * Security headers as a browser receives them, over a real listening server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_CSP } from "./security-headers.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";
import { RAG_WORKFLOW_V2 } from "./testing/workflows.ts";

let t: TestApp;
let baseUrl: string;
let botId: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.app.listen({ host: "127.0.0.1", port: 0 });
  botId = (await t.storage.bots.create({ name: "headers" })).id;
  await t.storage.workflowVersions.saveDraft(botId, RAG_WORKFLOW_V2);
  await t.storage.workflowVersions.publish(botId);
});
afterAll(async () => {
  await t?.close();
});

/** `directive → sources` of a Content-Security-Policy header. */
function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

/** The sources that govern `directive` (falling back to default-src, as browsers do). */
function sourcesFor(csp: Map<string, string[]>, directive: string): string[] {
  return csp.get(directive) ?? csp.get("default-src") ?? [];
}

describe("security headers", () => {
  it("every /api response is nosniff, no-store and allows no content: success, errors, unknown routes", async () => {
    const responses = {
      ok: await fetch(`${baseUrl}/api/v1/bots`, { headers: t.admin }),
      unauthorized: await fetch(`${baseUrl}/api/v1/bots`),
      invalid: await fetch(`${baseUrl}/api/v1/bots?limit=0`, { headers: t.admin }),
      notFound: await fetch(`${baseUrl}/api/v1/bots/no-such-bot`, { headers: t.admin }),
      noRoute: await fetch(`${baseUrl}/api/v1/no-such-route`, { headers: t.admin }),
    };
    const seen = Object.fromEntries(
      Object.entries(responses).map(([name, res]) => [
        name,
        {
          status: res.status,
          nosniff: res.headers.get("x-content-type-options"),
          cache: res.headers.get("cache-control"),
          csp: res.headers.get("content-security-policy"),
        },
      ]),
    );
    const expected = (status: number) => ({ status, nosniff: "nosniff", cache: "no-store", csp: API_CSP });
    expect(seen).toEqual({
      ok: expected(200),
      unauthorized: expected(401),
      invalid: expected(400),
      notFound: expected(404),
      noRoute: expected(404),
    });
  });

  it("a streamed (SSE) chat answer keeps them", async () => {
    const res = await fetch(`${baseUrl}/api/v1/chat`, {
      method: "POST",
      headers: { ...t.admin, "content-type": "application/json" },
      body: JSON.stringify({ bot_id: botId, message: "hello", stream: true }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("cache-control")).toMatch(/^no-store\b/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toBe(API_CSP);
    expect(res.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    expect(await res.text()).toContain("event: run.finished");
  });

  it("Swagger UI at /docs loads its page, scripts, styles and spec, all allowed by its CSP", async () => {
    const page = await fetch(`${baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = parseCsp(page.headers.get("content-security-policy"));
    expect(csp.has("upgrade-insecure-requests")).toBe(false); // the server is often plain HTTP
    const html = await page.text();

    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    // every script is a same-origin file: no inline code that script-src 'self' would block
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\ssrc="[^"]+"/);
      expect(body?.trim()).toBe("");
    }
    const scriptUrls = scripts.map(([, attrs]) => /\ssrc="([^"]+)"/.exec(attrs ?? "")?.[1] ?? "");
    const styleUrls = [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(styleUrls.length).toBeGreaterThan(0);
    expect(sourcesFor(csp, "script-src")).toContain("'self'");
    expect(sourcesFor(csp, "script-src")).not.toContain("'unsafe-inline'");
    // swagger-ui-bundle.js applies inline styles while rendering (Chromium blocks them otherwise)
    expect(sourcesFor(csp, "style-src")).toEqual(expect.arrayContaining(["'self'", "'unsafe-inline'"]));
    // Swagger UI fetches the spec and renders its icons as data: images
    expect(sourcesFor(csp, "connect-src")).toContain("'self'");
    expect(sourcesFor(csp, "img-src")).toEqual(expect.arrayContaining(["'self'", "data:"]));

    const assets = [
      ...scriptUrls.map((url) => ({ url, type: /javascript/ })),
      ...styleUrls.map((url) => ({ url, type: /text\/css/ })),
      { url: "/docs/json", type: /application\/json/ },
    ];
    for (const asset of assets) {
      const resolved = new URL(asset.url, `${baseUrl}/docs`);
      expect(resolved.origin).toBe(baseUrl); // same origin: 'self'
      const res = await fetch(resolved);
      expect({ url: asset.url, status: res.status }).toEqual({ url: asset.url, status: 200 });
      expect(res.headers.get("content-type")).toMatch(asset.type);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      await res.arrayBuffer();
    }
  });

  it("other responses carry the headers too", async () => {
    const res = await fetch(`${baseUrl}/health`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(parseCsp(res.headers.get("content-security-policy")).get("default-src")).toEqual(["'self'"]);
  });
});
