import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { nodeExecutionSchema } from "../../routes/node-execution-schema.ts";
import { runCli } from "../run-cli.ts";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

const fixtures = fileURLToPath(new URL("../../../../dify/test/fixtures/", import.meta.url));
let dir: string;
let server: Server;
let api: string;

async function cli(...argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const env = { PORTFLOW_DATA_DIR: join(dir, "data"), LLM_PROVIDER: "local", PORTFLOW_HTTP_ALLOW: "127.0.0.1" };
  const code = await runCli(argv, env, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** start(name, times) → greet (template) → answer. */
const greeting = {
  schema_version: 2,
  nodes: [
    {
      id: "start",
      type: "start",
      config: {
        inputs: [
          { name: "name", type: "string", required: true },
          { name: "times", type: "number", required: true },
        ],
      },
    },
    {
      id: "greet",
      type: "template",
      config: { template: "Hello {{name}} x{{times}}, you asked: {{sys.query}}" },
      variable_mappings: [
        { target_port: "name", selector: ["start", "name"] },
        { target_port: "times", selector: ["start", "times"] },
      ],
    },
    {
      id: "say",
      type: "answer",
      config: { answer: "{{text}}" },
      variable_mappings: [{ target_port: "text", selector: ["greet", "text"] }],
    },
  ],
  edges: [
    { source: "start", target: "greet" },
    { source: "greet", target: "say" },
  ],
};

/**
 * start → route (if-else on sys.query: `greeting` for "hello…") → risky (a call nothing answers:
 * fails, fail branch → apology) → end.
 */
const outcomes = {
  schema_version: 2,
  nodes: [
    { id: "start", type: "start", config: { inputs: [] } },
    {
      id: "route",
      type: "if-else",
      config: { cases: [{ id: "greeting", conditions: [{ input: "q", operator: "starts-with", value: "hello" }] }] },
      variable_mappings: [{ target_port: "q", selector: ["sys", "query"] }],
    },
    { id: "risky", type: "http-request", config: { url: "http://127.0.0.1:9/closed" }, error_strategy: "fail-branch" },
    { id: "apology", type: "template", config: { template: "sorry" } },
    { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["apology", "text"] }] },
  ],
  edges: [
    { source: "start", target: "route" },
    { source: "route", source_port: "greeting", target: "risky" },
    { source: "route", source_port: "false", target: "end" },
    { source: "risky", source_port: "fail", target: "apology" },
    { source: "apology", target: "end" },
  ],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "portflow-workflow-run-"));
  await writeFile(join(dir, "greeting.json"), JSON.stringify(greeting));
  await writeFile(join(dir, "outcomes.json"), JSON.stringify(outcomes));
  server = createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "packed", eta_days: 0 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  const dsl = await readFile(join(fixtures, "order-status-chatflow.yml"), "utf8");
  await writeFile(join(dir, "orders.yml"), dsl.replace("http://127.0.0.1:9/api", api));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe("portflow workflow run", () => {
  it("runs a V2 JSON file with --input and --query, printing the answer and a per-node summary", async () => {
    const result = await cli(
      "workflow",
      "run",
      join(dir, "greeting.json"),
      "--input",
      "name=Ada",
      "--input",
      "times=3",
      "--query",
      "how are you?",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("Hello Ada x3, you asked: how are you?");
    expect(result.stdout).toMatch(/run succeeded in \d+ ms, 3 steps/);
    expect(result.stdout).toMatch(/^greet\s+template\s+succeeded/m);
    expect(result.stdout).toMatch(/^say\s+answer\s+succeeded/m);
  });

  it("shows the branch each node took and how a failure was handled, in the table and as NodeExecution fields in --json", async () => {
    const table = await cli("workflow", "run", join(dir, "outcomes.json"), "--query", "hello there");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^route\s+if-else\s+succeeded → greeting\s/m);
    expect(table.stdout).toMatch(/^risky\s+http-request\s+failed \(fail branch\)\s/m);
    expect(table.stdout).toMatch(/^apology\s+template\s+succeeded\s/m);

    const json = await cli("workflow", "run", join(dir, "outcomes.json"), "--query", "hello there", "--json");
    const nodes = z
      .array(nodeExecutionSchema.omit({ inputs: true, outputs: true, process_data: true }).strict())
      .parse(JSON.parse(json.stdout).nodes);
    expect(nodes.map((n) => [n.node_id, n.status, n.branch, n.handled_by])).toEqual([
      ["start", "succeeded", null, null],
      ["route", "succeeded", "greeting", null],
      ["risky", "failed", "fail", "fail-branch"],
      ["apology", "succeeded", null, null],
      ["end", "succeeded", null, null],
    ]);
  });

  it("prints --json in snake_case", async () => {
    const result = await cli(
      "workflow",
      "run",
      join(dir, "greeting.json"),
      "--input",
      "name=Bo",
      "--input",
      "times=1",
      "--query",
      "hi",
      "--json",
    );
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      status: "succeeded",
      answer: "Hello Bo x1, you asked: hi",
      error: null,
      totals: { steps: 3, elapsed_ms: expect.any(Number) },
    });
    expect(body.run_id).toEqual(expect.any(String));
    expect(body.nodes.map((n: { node_id: string; node_type: string }) => [n.node_id, n.node_type])).toEqual([
      ["start", "start"],
      ["greet", "template"],
      ["say", "answer"],
    ]);
    expect(result.stdout).not.toMatch(/"[a-z]+[A-Z][A-Za-z]*":/); // no camelCase key anywhere
  });

  it("imports a Dify .yml on the fly and runs it on the offline providers", async () => {
    const result = await cli(
      "workflow",
      "run",
      join(dir, "orders.yml"),
      "--query",
      "Where is my order? order id: B-77",
      "--json",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.answer).toBe("Order B-77 is packed.");
    expect(body.conversation).toEqual({ last_order: "B-77", turns: 1 });
  });

  it("refuses an invalid file with its problems and exit code 1, and an undeclared --input with 2", async () => {
    const typo = structuredClone(greeting);
    typo.nodes[1]!.config = { template: "Hello {{nmae}}" };
    await writeFile(join(dir, "typo.json"), JSON.stringify(typo));
    const invalid = await cli("workflow", "run", join(dir, "typo.json"), "--input", "name=Ada", "--input", "times=1");
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('problem: nodes[1].config.template: placeholder {{nmae}} names "nmae"');
    expect(invalid.stdout).toBe("");
    const undeclared = await cli("workflow", "run", join(dir, "greeting.json"), "--input", "nme=Ada");
    expect(undeclared.code).toBe(2);
    expect(undeclared.stderr).toContain("--input nme: the start node declares no such input (declared: name, times)");
  });
});
