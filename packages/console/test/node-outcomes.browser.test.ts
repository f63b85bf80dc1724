import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createTestApp, type TestApp } from "@portflow/server/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "./axe-violations.ts";
import { ARTIFACTS, buildConsole, type ConsoleBuild, signIn } from "./console-build.ts";
import { launchChromium } from "./launch-chromium.ts";

const POLL = { timeout: 10_000 };

const browser = await launchChromium();

let build: ConsoleBuild | undefined;
let t: TestApp;
let base: string;
let page: Page;
let origin: string;
let upstream: Server;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...t.admin, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * start → lookup (fails: default outputs) → route (if-else: `greeting` for "hello…") → risky
 * (fails: fail branch → apology; `normal` skipped) → end.
 */
function graph(): unknown {
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
      {
        id: "lookup",
        type: "http-request",
        config: { url: `${origin}/lookup` },
        error_strategy: "default-value",
        default_outputs: { body: "nothing found" },
      },
      {
        id: "route",
        type: "if-else",
        config: { cases: [{ id: "greeting", conditions: [{ input: "q", operator: "starts-with", value: "hello" }] }] },
        variable_mappings: [{ target_port: "q", selector: ["start", "query"] }],
      },
      { id: "risky", type: "http-request", config: { url: `${origin}/risky` }, error_strategy: "fail-branch" },
      { id: "normal", type: "template", config: { template: "all fine" } },
      { id: "apology", type: "template", config: { template: "sorry" } },
      {
        id: "end",
        type: "end",
        variable_mappings: [
          { target_port: "normal", selector: ["normal", "text"] },
          { target_port: "apology", selector: ["apology", "text"] },
        ],
      },
    ],
    edges: [
      { source: "start", target: "lookup" },
      { source: "lookup", target: "route" },
      { source: "route", source_port: "greeting", target: "risky" },
      { source: "route", source_port: "false", target: "end" },
      { source: "risky", target: "normal" },
      { source: "risky", source_port: "fail", target: "apology" },
      { source: "normal", target: "end" },
      { source: "apology", target: "end" },
    ],
  };
}

const row = (nodeId: string) => page.locator(`[data-testid="timeline-bar"][data-node-id="${nodeId}"]`);
const outcomeOf = async (nodeId: string) =>
  (await row(nodeId).getByTestId("timeline-outcome").count()) === 0
    ? null
    : (await row(nodeId).getByTestId("timeline-outcome").textContent())?.trim();

beforeAll(async () => {
  if (browser === undefined) return;
  upstream = createServer((_req, res) => {
    res.writeHead(500).end("broken");
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const port = (upstream.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  build = await buildConsole();
  t = await createTestApp({ consoleDir: build.dir, nodes: { http: { allow: [`127.0.0.1:${port}`] } } });
  await t.app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  page = await browser.context.newPage();
  await signIn(page, base, t.admin.authorization);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await new Promise((r) => upstream?.close(r));
  build?.remove();
});

describe.skipIf(browser === undefined)("the run page's node outcomes in Chromium", () => {
  it("shows the branch each node took and how its failure was handled, in the timeline and the inspector", async () => {
    const bot = await api<{ id: string }>("POST", "/bots", { name: "Outcome bot", use_workflow_v2: true });
    await api("PUT", `/bots/${bot.id}/workflow-versions/draft`, { graph: graph(), revision: 0 });
    const run = await api<{ run_id: string; status: string }>("POST", `/bots/${bot.id}/workflow-versions/draft/run`, {
      inputs: { query: "hello there" },
    });
    expect(run.status).toBe("partial-succeeded");

    await page.evaluate(`location.hash = ${JSON.stringify(`#/bots/${bot.id}/runs/${run.run_id}`)}`);
    await expect.poll(() => page.locator("#run-title .mono").textContent(), POLL).toBe(run.run_id);
    await expect.poll(() => outcomeOf("route"), POLL).toBe("→ greeting");
    expect(await outcomeOf("lookup")).toBe("default value");
    expect(await outcomeOf("risky")).toBe("fail branch");
    expect(await outcomeOf("apology")).toBeNull();
    expect(await outcomeOf("normal")).toBeNull();

    await row("risky").click();
    const inspector = page.getByTestId("inspector");
    await expect.poll(() => inspector.locator("#inspector-title").textContent(), POLL).toContain("risky");
    expect(await inspector.getByTestId("inspector-branch").textContent()).toBe("fail");
    expect(await inspector.getByTestId("inspector-handled-by").textContent()).toBe(
      "fail branch (the run followed its fail branch)",
    );
    await page.screenshot({ path: join(ARTIFACTS, "40-run-node-outcomes.png"), fullPage: true });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await row("lookup").click();
    await expect.poll(() => inspector.locator("#inspector-title").textContent(), POLL).toContain("lookup");
    expect(await inspector.getByTestId("inspector-handled-by").textContent()).toBe(
      "default value (its default outputs were used)",
    );
    expect(await inspector.getByTestId("inspector-branch").count()).toBe(0);

    await row("route").click();
    await expect.poll(() => inspector.locator("#inspector-title").textContent(), POLL).toContain("route");
    expect(await inspector.getByTestId("inspector-branch").textContent()).toBe("greeting");
    expect(await inspector.getByTestId("inspector-handled-by").count()).toBe(0);
  });
});
