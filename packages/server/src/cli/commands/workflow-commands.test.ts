import { writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CountingHttpApi, startCountingHttpApi } from "../../testing/counting-http-api.ts";
import { type CliCallResult, runCliWithInput, runCliWithInputOrThrow } from "../../testing/run-cli-in-process.ts";
import { makeSeedDataDir, type SeedDataDir } from "../../testing/seed-data-dir.ts";
import { fetchShoutWorkflow } from "../../testing/workflows.ts";

// A seed data directory, built once: a bot with start → fetch → shout → end published and as its
// draft, and one succeeded run of it. Each test runs on its own copy.
let dirs: SeedDataDir;
let botId: string;
let runId: string;
let api: CountingHttpApi;
let env: Record<string, string>;

const cli = (data: string, ...argv: string[]): Promise<CliCallResult> => runCliWithInput(data, { env }, ...argv);
const cliOk = (data: string, ...argv: string[]) => runCliWithInputOrThrow(data, { env }, ...argv);

/** A private copy of the seed; the API's call counts start from zero. */
function seededDataDir(): Promise<string> {
  api.calls.clear();
  return dirs.copySeed();
}

beforeAll(async () => {
  api = await startCountingHttpApi();
  env = { PORTFLOW_HTTP_ALLOW: `127.0.0.1:${api.port}` };
  dirs = await makeSeedDataDir("portflow-debug-node-");
  const seed = dirs.seed;
  const graph = fetchShoutWorkflow(api.origin);
  await writeFile(dirs.file("graph.json"), JSON.stringify(graph));
  botId = (JSON.parse(await cliOk(seed, "bots", "create", "--name", "debuggable", "--json")) as { id: string }).id;
  await cliOk(seed, "workflow", "push", "--bot", botId, dirs.file("graph.json"));
  await cliOk(seed, "workflow", "publish", "--bot", botId);
  runId = (JSON.parse(await cliOk(seed, "run", "--bot", botId, "hello", "--json")) as { run_id: string }).run_id;
}, 120_000);

afterAll(async () => {
  await dirs?.remove();
  await api?.close();
});

describe("portflow workflow debug-node (in process)", () => {
  it("runs one node with --inputs: only that node is called, and the run is recorded with trigger debug and one node", {
    timeout: 60_000,
  }, async () => {
    const data = await seededDataDir();
    const out = await cli(
      data,
      "workflow",
      "debug-node",
      "--bot",
      botId,
      "shout",
      "--inputs",
      '{"prev":"hi"}',
      "--json",
    );
    expect(out.code).toBe(0);
    const body = JSON.parse(out.stdout.text);
    expect(body).toMatchObject({
      status: "succeeded",
      node_id: "shout",
      inputs: { prev: "hi" },
      outputs: { body: "shout-call1" },
      error: null,
    });
    expect(Object.fromEntries(api.calls)).toEqual({ shout: 1 });
    const shown = JSON.parse(await cliOk(data, "runs", "show", body.run_id, "--json"));
    expect(shown).toMatchObject({ trigger: "debug", status: "succeeded" });
    expect(shown.nodes.map((n: { node_id: string }) => n.node_id)).toEqual(["shout"]);
  });

  it("runs one node with --from-run: its inputs are what the run recorded upstream, and upstream is not called", {
    timeout: 60_000,
  }, async () => {
    const data = await seededDataDir();
    const out = await cli(data, "workflow", "debug-node", "--bot", botId, "shout", "--from-run", runId);
    expect(out.code).toBe(0);
    expect(out.stdout.text).toContain('"body": "shout-call1"');
    expect(out.stdout.text).toMatch(/^shout\s+http-request\s+succeeded/m);
    expect(Object.fromEntries(api.calls)).toEqual({ shout: 1 });
    expect(api.requests.at(-1)?.url).toBe("/shout?prev=fetch-call1");
  });

  it("exits 2 for bad inputs (both sources, not JSON, an unknown port) and 1 for an unknown node", {
    timeout: 60_000,
  }, async () => {
    const data = await seededDataDir();
    const debug = (...argv: string[]) => cli(data, "workflow", "debug-node", "--bot", botId, ...argv);
    const both = await debug("shout", "--inputs", "{}", "--from-run", runId);
    expect(both.code).toBe(2);
    expect(both.stderr.text).toContain("give --inputs or --from-run, not both");
    const notJson = await debug("shout", "--inputs", "{prev");
    expect(notJson.code).toBe(2);
    expect(notJson.stderr.text).toContain("not JSON");
    const port = await debug("shout", "--inputs", '{"nope":1}');
    expect(port.code).toBe(2);
    expect(port.stderr.text).toContain('--inputs.nope: node "shout" has no input port "nope"');
    const node = await debug("nosuch");
    expect(node.code).toBe(1);
    expect(node.stderr.text).toContain('node "nosuch" not found in the draft');
    expect(api.calls.size).toBe(0);
  });
});
