/**
 * The server a console browser test drives: the console built now, served by a listening test
 * app whose http-request nodes may call a local upstream API, and a page signed in as admin.
 * @module
 */
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestApp, type TestApp } from "@portflow/server/testing";
import type { Page } from "playwright-core";
import { buildConsole, signIn } from "./console-build.ts";
import type { LaunchedChromium } from "./launch-chromium.ts";

/** A running console server with its upstream API and a signed-in page. */
export interface ConsoleApp {
  readonly t: TestApp;
  /** The server's origin (`http://127.0.0.1:PORT`). */
  readonly base: string;
  /** The upstream API's origin, the one address the workflows' http-request nodes may call. */
  readonly origin: string;
  readonly page: Page;
  /** Calls the JSON API as admin; a non-2xx answer throws with its status and body. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Stops the server and the upstream API and removes the build (the browser is the caller's). */
  close(): Promise<void>;
}

/** Starts the upstream API with `upstream`, builds the console, starts the server and signs a new page in. */
export async function startConsoleApp(browser: LaunchedChromium, upstream: RequestListener): Promise<ConsoleApp> {
  const server = createServer(upstream);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const build = await buildConsole();
  const t = await createTestApp({ consoleDir: build.dir, nodes: { http: { allow: [`127.0.0.1:${port}`] } } });
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const page = await browser.context.newPage();
  await signIn(page, base, t.admin.authorization);
  return {
    t,
    base,
    origin: `http://127.0.0.1:${port}`,
    page,
    async api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...t.admin, ...(body !== undefined && { "content-type": "application/json" }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    },
    async close() {
      await t.close();
      await new Promise((r) => server.close(r));
      build.remove();
    },
  };
}
