import { PythonSandbox, QuickJsSandbox, type Sandboxes } from "@portflow/nodes";
import { afterEach, describe, expect, it } from "vitest";
import { warmUpSandboxesAtStart } from "./sandbox-warm-up.ts";
import { createTestApp, type TestApp } from "./testing/test-app.ts";

/** start → code (language) → end(out). */
function codeWorkflow(language: "python3" | "javascript") {
  const code =
    language === "python3"
      ? "def main(query):\n    return {'out': query.upper()}"
      : "function main({ query }) { return { out: query.toUpperCase() }; }";
  return {
    schema_version: 2,
    nodes: [
      { id: "start", type: "start", config: { inputs: [{ name: "query", type: "string", required: true }] } },
      {
        id: "code",
        type: "code",
        config: { language, code, outputs: [{ name: "out", type: "string" }] },
        variable_mappings: [{ target_port: "query", selector: ["start", "query"] }],
      },
      { id: "end", type: "end", variable_mappings: [{ target_port: "answer", selector: ["code", "out"] }] },
    ],
    edges: [
      { source: "start", target: "code" },
      { source: "code", target: "end" },
    ],
  };
}

let t: TestApp | undefined;
let sandboxes: Sandboxes | undefined;
afterEach(async () => {
  sandboxes?.python.close();
  sandboxes = undefined;
  await t?.close();
  t = undefined;
});

async function publish(language: "python3" | "javascript") {
  t ??= await createTestApp();
  const bot = await t.storage.bots.create({ name: `${language} bot`, useWorkflowV2: true });
  await t.storage.workflowVersions.saveDraft(bot.id, codeWorkflow(language));
  await t.storage.workflowVersions.publish(bot.id);
}

function freshSandboxes(): Sandboxes {
  sandboxes = { quickjs: new QuickJsSandbox(), python: new PythonSandbox() };
  return sandboxes;
}

describe("warmUpSandboxesAtStart", () => {
  it("auto: loads what published workflows use — QuickJS for JavaScript, Pyodide only for Python", async () => {
    await publish("javascript");
    const first = freshSandboxes();
    expect(await warmUpSandboxesAtStart("auto", first, (t as TestApp).storage)).toEqual({
      quickjs: true,
      python: false,
    });
    expect(first.python.loads).toBe(0);

    await publish("python3");
    const second = freshSandboxes();
    expect(await warmUpSandboxesAtStart("auto", second, (t as TestApp).storage)).toEqual({
      quickjs: true,
      python: true,
    });
    expect(second.python.loads).toBe(1);
    // The first Python call finds the interpreter loaded: no second load.
    const result = await second.python.run(
      {
        code: "def main(a):\n    return {'b': a + 1}",
        inputsJson: '{"a":1}',
        limits: { time_ms: 5_000, memory_mb: 64 },
      },
      new AbortController().signal,
    );
    expect(JSON.parse(result.json)).toEqual({ b: 2 });
    expect(second.python.loads).toBe(1);
  }, 120_000);

  it("auto and never load nothing without such workflows; always loads both with no workflow at all", async () => {
    t = await createTestApp();
    const auto = freshSandboxes();
    expect(await warmUpSandboxesAtStart("auto", auto, t.storage)).toEqual({ quickjs: false, python: false });
    expect(auto.python.loads).toBe(0);
    const never = freshSandboxes();
    expect(await warmUpSandboxesAtStart("never", never, t.storage)).toEqual({ quickjs: false, python: false });
    expect(never.python.loads).toBe(0);
    const always = freshSandboxes();
    expect(await warmUpSandboxesAtStart("always", always, t.storage)).toEqual({ quickjs: true, python: true });
    expect(always.python.loads).toBe(1);
  }, 120_000);
});
