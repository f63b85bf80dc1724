import { join } from "node:path";
import type { TestApp } from "@portflow/server/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AxeViolation, seriousAxeViolations } from "./axe-violations.ts";
import { type ConsoleApp, startConsoleApp } from "./console-app.ts";
import { ARTIFACTS } from "./console-build.ts";
import { launchChromium } from "./launch-chromium.ts";

const POLL = { timeout: 10_000 };

const browser = await launchChromium();

let app: ConsoleApp;
let t: TestApp;
let page: Page;
let origin: string;
/** Calls per path of the local API the workflows call. */
const calls = new Map<string, number>();
/** `/flaky` answers 500 this many more times. */
let flakyFailures = 0;
/** Requests to `/slow` wait until the gate is released (a run that stays running while the test watches). */
let slowGate = { released: Promise.resolve(), release: () => {} };
const axeFindings: Record<string, AxeViolation[]> = {};

function holdSlow(): () => void {
  let release = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  slowGate = { released, release };
  return release;
}

const api = <T>(method: string, path: string, body?: unknown) => app.api<T>(method, path, body);

/** start → one http-request node per path, in a chain → end (answering with the last body). */
function chain(...paths: string[]): unknown {
  const steps = paths.map((path) => ({ id: path, type: "http-request", config: { url: `${origin}/${path}` } }));
  const ids = ["start", ...paths, "end"];
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [] } },
      ...steps,
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: [paths.at(-1), "body"] }] },
    ],
    edges: ids.slice(1).map((id, i) => ({ source: ids[i], target: id })),
  };
}

async function botWithDraft(name: string, graph: unknown): Promise<string> {
  const bot = await api<{ id: string }>("POST", "/bots", { name, use_workflow_v2: true });
  await api("PUT", `/bots/${bot.id}/workflow-versions/draft`, { graph, revision: 0 });
  return bot.id;
}

const draftRun = (botId: string) =>
  api<{ run_id: string; status: string }>("POST", `/bots/${botId}/workflow-versions/draft/run`, {});

/** The id of the bot's one running run, once it is running. */
async function runningRun(botId: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => {
      const list = await api<{ items: { id: string }[] }>("GET", `/bots/${botId}/workflow-executions?status=running`);
      id = list.items[0]?.id;
      return list.items.length;
    }, POLL)
    .toBe(1);
  return id as string;
}

async function openRun(botId: string, runId: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(`#/bots/${botId}/runs/${runId}`)}`);
  await expect.poll(() => page.locator("#run-title .mono").textContent(), POLL).toBe(runId);
}

const graphNode = (nodeId: string) => page.locator(`[data-testid="graph-node"][data-node-id="${nodeId}"]`);
const bar = (nodeId: string) => page.locator(`[data-testid="timeline-bar"][data-node-id="${nodeId}"] .waterfall-bar`);
const classOf = async (locator: ReturnType<Page["locator"]>) => (await locator.getAttribute("class")) ?? "";
const runStatus = () => page.locator("#run-title .badge").textContent();
const currentRunId = async () => (await page.evaluate("location.hash")) as string;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  axeFindings[name] = await seriousAxeViolations(page);
}

beforeAll(async () => {
  if (browser === undefined) return;
  app = await startConsoleApp(browser, (req, res) => {
    const path = (req.url ?? "/").split("?")[0]?.slice(1) ?? "";
    const n = (calls.get(path) ?? 0) + 1;
    calls.set(path, n);
    if (path === "slow") {
      slowGate.released.then(() => {
        if (!res.destroyed) res.writeHead(200, { "content-type": "text/plain" }).end(`slow-call${n}`);
      });
      return;
    }
    if (path === "flaky" && flakyFailures > 0) {
      flakyFailures--;
      res.writeHead(500).end("not yet");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end(`${path}-call${n}`);
  });
  ({ t, page, origin } = app);
}, 180_000);

afterAll(async () => {
  slowGate.release();
  await browser?.close();
  await app?.close();
});

describe.skipIf(browser === undefined)("the run page's live view and run controls in Chromium", () => {
  let slowBot: string;
  let chainBot: string;

  it("follows a long run live from its event stream: a node turns running, then succeeded, without reloading", async () => {
    slowBot = await botWithDraft("Slow bot", chain("slow"));
    const release = holdSlow();
    const run = draftRun(slowBot);
    const runId = await runningRun(slowBot);
    const detailPath = `/api/v1/bots/${slowBot}/workflow-executions/${runId}`;
    const requested: string[] = [];
    const onRequest = (r: { url(): string }) => requested.push(new URL(r.url()).pathname);
    page.on("request", onRequest);
    await page.evaluate("window.__sameDocument = true");
    await openRun(slowBot, runId);
    await expect.poll(async () => classOf(graphNode("slow")), POLL).toContain("status-running");
    expect(await classOf(bar("slow"))).toContain("status-running");
    expect(await classOf(graphNode("start"))).toContain("status-succeeded");
    expect(await page.getByTestId("live-indicator").getAttribute("data-stream")).toBe("live");
    expect(await runStatus()).toBe("running");
    // the running node's bar grows with the clock while the stream is quiet
    const width = async () => (await bar("slow").boundingBox())?.width ?? 0;
    const before = await width();
    await expect.poll(width, POLL).toBeGreaterThan(before);
    await shot("20-run-live-stream");

    // the moment the held call answers, in the page: from release to the node coloured succeeded
    const turned = page.evaluate(`new Promise((done) => {
      const node = () => document.querySelector('[data-testid="graph-node"][data-node-id="slow"]');
      const check = () => node()?.classList.contains("status-succeeded") ? done(Date.now()) : requestAnimationFrame(check);
      check();
    })`) as Promise<number>;
    const releasedAt = Date.now();
    release();
    const latency = (await turned) - releasedAt;
    console.log(`console live view: a node turned succeeded ${latency} ms after its call answered`);
    expect((await run).status).toBe("succeeded");
    await expect.poll(runStatus, POLL).toBe("succeeded");
    await expect.poll(() => page.getByTestId("live-indicator").count(), POLL).toBe(0);
    expect(await classOf(bar("slow"))).toContain("status-succeeded");
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    page.off("request", onRequest);
    // followed through the stream (with the Authorization header), not by polling the run
    expect(requested.filter((p) => p === `${detailPath}/events`)).toHaveLength(1);
    expect(requested.filter((p) => p === detailPath).length).toBeLessThanOrEqual(3);
  });

  it("cancels a running run from the console: the run ends cancelled and Resume and Rerun become available", async () => {
    const release = holdSlow();
    const run = draftRun(slowBot);
    const runId = await runningRun(slowBot);
    await openRun(slowBot, runId);
    await expect.poll(async () => classOf(graphNode("slow")), POLL).toContain("status-running");
    expect(await page.getByTestId("resume-run").isDisabled()).toBe(true);
    expect(await page.getByTestId("rerun-run").isDisabled()).toBe(true);
    await page.getByTestId("cancel-run").click();
    await expect.poll(runStatus, POLL).toBe("cancelled");
    expect((await run).status).toBe("cancelled");
    expect((await api<{ status: string }>("GET", `/bots/${slowBot}/workflow-executions/${runId}`)).status).toBe(
      "cancelled",
    );
    await expect.poll(() => page.getByTestId("live-indicator").count(), POLL).toBe(0);
    await expect
      .poll(() => page.getByTestId("run-action-notice").textContent(), POLL)
      .toBe("Cancel sentThe run has stopped.");
    expect(await page.getByTestId("cancel-run").isDisabled()).toBe(true);
    // the reason is the button's description, for screen readers too
    expect(await page.getByTestId("cancel-run").getAttribute("aria-describedby")).not.toBeNull();
    expect(await page.getByTestId("run-controls").textContent()).toContain("The run has ended (cancelled)");
    expect(await page.getByTestId("resume-run").isEnabled()).toBe(true);
    expect(await page.getByTestId("rerun-run").isEnabled()).toBe(true);
    await shot("21-run-cancelled");
    releaseCancelled = release;
    cancelledId = runId;
  });

  let releaseCancelled = () => {};
  let cancelledId = "";
  it("reruns the cancelled run: the new run opens at once, while it runs, and is followed live to its end", async () => {
    // the held call is still held: the rerun cannot end before the test lets it
    await page.getByTestId("rerun-run").click();
    await expect.poll(currentRunId, POLL).not.toContain(cancelledId);
    expect(await page.getByTestId("run-origin").textContent()).toBe(`Rerun of run ${cancelledId}`);
    await expect.poll(async () => classOf(graphNode("slow")), POLL).toContain("status-running");
    expect(await runStatus()).toBe("running");
    expect(await page.getByTestId("cancel-run").isEnabled()).toBe(true);
    releaseCancelled();
    await expect.poll(runStatus, POLL).toBe("succeeded");
    expect(await classOf(graphNode("slow"))).toContain("status-succeeded");
  });

  let failedId: string;
  it("resumes a failed run: a new run, linked to the failed one, runs only the failed node on and succeeds", async () => {
    chainBot = await botWithDraft("Chain bot", chain("first", "flaky"));
    flakyFailures = 1;
    calls.clear();
    const failed = await draftRun(chainBot);
    expect(failed.status).toBe("failed");
    failedId = failed.run_id;
    await openRun(chainBot, failedId);
    await expect.poll(runStatus, POLL).toBe("failed");
    expect(await page.getByTestId("cancel-run").isDisabled()).toBe(true);
    const choices = await page.getByTestId("resume-from").locator("option").allTextContents();
    expect(choices).toEqual(["where it stopped", "start", "first", "flaky", "end"]);
    await shot("22-run-failed-controls");
    await page.getByTestId("resume-run").click();
    await expect.poll(currentRunId, POLL).not.toContain(failedId);
    await expect.poll(runStatus, POLL).toBe("succeeded");
    const resumedId = (await page.locator("#run-title .mono").textContent()) ?? "";
    expect(await page.getByTestId("run-origin").textContent()).toBe(`Resumed from run ${failedId}`);
    // the nodes that had succeeded were not run again
    const bars = await page
      .getByTestId("timeline-bar")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-node-id")));
    expect(bars).toEqual(["flaky", "end"]);
    expect(Object.fromEntries(calls)).toEqual({ first: 1, flaky: 2 });
    expect((await api<{ status: string }>("GET", `/bots/${chainBot}/workflow-executions/${resumedId}`)).status).toBe(
      "succeeded",
    );
    expect(await page.getByTestId("resume-run").isDisabled()).toBe(true);
    expect(await page.getByTestId("run-controls").textContent()).toContain("nothing to resume. Rerun it instead.");
    await shot("23-run-resumed");
  });

  it("resumes from a node chosen in the inspector: that node and everything after it run again", async () => {
    await page.getByTestId("run-origin").getByRole("link").click();
    await expect.poll(() => page.locator("#run-title .mono").textContent(), POLL).toBe(failedId);
    calls.clear();
    await page.locator('[data-testid="timeline-bar"][data-node-id="first"]').click();
    await page.getByTestId("resume-from-here").click();
    await expect.poll(currentRunId, POLL).not.toContain(failedId);
    await expect.poll(runStatus, POLL).toBe("succeeded");
    expect(await page.getByTestId("run-origin").textContent()).toBe(`Resumed from run ${failedId} (from node first)`);
    const bars = await page
      .getByTestId("timeline-bar")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-node-id")));
    expect(bars).toEqual(["first", "flaky", "end"]);
    expect(Object.fromEntries(calls)).toEqual({ first: 1, flaky: 1 });
  });

  it("reruns a finished run from scratch as a new run", async () => {
    const previous = (await page.locator("#run-title .mono").textContent()) ?? "";
    calls.clear();
    await page.getByTestId("rerun-run").click();
    await expect.poll(currentRunId, POLL).not.toContain(previous);
    await expect.poll(runStatus, POLL).toBe("succeeded");
    expect(await page.getByTestId("run-origin").textContent()).toBe(`Rerun of run ${previous}`);
    const bars = await page
      .getByTestId("timeline-bar")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-node-id")));
    expect(bars).toEqual(["start", "first", "flaky", "end"]);
    expect(Object.fromEntries(calls)).toEqual({ first: 1, flaky: 1 });
    await shot("24-run-rerun");
  });

  it("shows the API's refusal when a run cannot run again (409: recorded without a run spec)", async () => {
    // a run recorded before run specs existed (written as an older server wrote it)
    await t.storage.database.withRawTransaction((session) =>
      session.query(
        `INSERT INTO workflow_execution_runs (id, bot_id, status, trigger, inputs, total_steps, input_tokens, output_tokens, elapsed_ms, started_at, finished_at)
         VALUES ('old-failed-run', $1, 'failed', 'api', '{}'::jsonb, 0, 0, 0, 5, now(), now())`,
        [chainBot],
      ),
    );
    await openRun(chainBot, "old-failed-run");
    await page.getByTestId("resume-run").click();
    const notice = page.getByTestId("run-action-notice");
    await expect.poll(() => notice.textContent(), POLL).toContain("Resume refused: 409 run_not_resumable");
    expect(await notice.getAttribute("role")).toBe("alert");
    expect(await notice.textContent()).toContain("recorded without a run spec");
    expect(await currentRunId()).toContain("old-failed-run");
    expect(await page.getByTestId("resume-run").isEnabled()).toBe(true);
    await shot("25-run-resume-refused");
  });

  it("axe-core finds no serious or critical accessibility violation on the run page in any of these states", () => {
    expect(Object.keys(axeFindings).sort()).toEqual([
      "20-run-live-stream",
      "21-run-cancelled",
      "22-run-failed-controls",
      "23-run-resumed",
      "24-run-rerun",
      "25-run-resume-refused",
    ]);
    expect(axeFindings).toEqual(Object.fromEntries(Object.keys(axeFindings).map((name) => [name, []])));
  });
});
