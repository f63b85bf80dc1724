import { join } from "node:path";
import { outcomesWorkflow } from "@portflow/server/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousAxeViolations } from "./axe-violations.ts";
import { type ConsoleApp, startConsoleApp } from "./console-app.ts";
import { ARTIFACTS } from "./console-build.ts";
import { launchChromium } from "./launch-chromium.ts";

const POLL = { timeout: 10_000 };

const browser = await launchChromium();

let app: ConsoleApp;
let page: Page;

const row = (nodeId: string) => page.locator(`[data-testid="timeline-bar"][data-node-id="${nodeId}"]`);
const outcomeOf = async (nodeId: string) =>
  (await row(nodeId).getByTestId("timeline-outcome").count()) === 0
    ? null
    : (await row(nodeId).getByTestId("timeline-outcome").textContent())?.trim();

beforeAll(async () => {
  if (browser === undefined) return;
  // every path answers 500: both http-request nodes of the workflow fail
  app = await startConsoleApp(browser, (_req, res) => {
    res.writeHead(500).end("broken");
  });
  page = app.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe.skipIf(browser === undefined)("the run page's node outcomes in Chromium", () => {
  it("shows the branch each node took and how its failure was handled, in the timeline and the inspector", async () => {
    const bot = await app.api<{ id: string }>("POST", "/bots", { name: "Outcome bot", use_workflow_v2: true });
    await app.api("PUT", `/bots/${bot.id}/workflow-versions/draft`, {
      graph: outcomesWorkflow(app.origin),
      revision: 0,
    });
    const run = await app.api<{ run_id: string; status: string }>(
      "POST",
      `/bots/${bot.id}/workflow-versions/draft/run`,
      {
        inputs: { query: "hello there" },
      },
    );
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
