import { mkdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeTempDir } from "./testing/make-temp-dir.ts";
import { createTestApp } from "./testing/test-app.ts";

const dir = await makeTempDir("portflow-console-static-");
mkdirSync(join(dir, "built", "assets"), { recursive: true });
writeFileSync(
  join(dir, "built", "index.html"),
  '<!doctype html><script type="module" src="/console/assets/app-1a2b.js"></script>',
);
writeFileSync(join(dir, "built", "assets", "app-1a2b.js"), "console.log('console');");
const built = await createTestApp({ consoleDir: join(dir, "built") });
const missing = await createTestApp({ consoleDir: join(dir, "not-built") });

afterAll(async () => {
  await built.close();
  await missing.close();
  await rm(dir, { recursive: true, force: true });
});

describe("the web console at /console/", () => {
  it("serves the built index.html (revalidated) and hashed assets (cached), and redirects /console", async () => {
    const redirect = await built.app.inject({ url: "/console" });
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toBe("/console/");
    const index = await built.app.inject({ url: "/console/" });
    expect(index.statusCode).toBe(200);
    expect(index.headers["content-type"]).toContain("text/html");
    expect(index.headers["cache-control"]).toBe("no-cache");
    expect(index.body).toContain("/console/assets/app-1a2b.js");
    // scripts come from this origin only: no CDN, and the CSP would refuse one
    expect(index.headers["content-security-policy"]).toContain("script-src 'self'");
    const asset = await built.app.inject({ url: "/console/assets/app-1a2b.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["cache-control"]).toContain("immutable");
  });

  it("answers 404 naming the build command when the console was not built", async () => {
    const res = await missing.app.inject({ url: "/console/" });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain("pnpm install");
  });

  it("leaves the API and its docs where they were", async () => {
    expect((await built.app.inject({ url: "/health" })).statusCode).toBe(200);
    expect((await built.app.inject({ url: "/openapi.json" })).statusCode).toBe(200);
  });
});
