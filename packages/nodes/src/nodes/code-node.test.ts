import { validateWorkflow, WorkflowExecutorV2, type WorkflowV2Json } from "@portflow/engine";
import { singleNodeWorkflow } from "@portflow/engine/testing";
import { describe, expect, it } from "vitest";
import { createNodeRegistry } from "../create-node-registry.ts";
import { sharedSandboxes } from "../sandbox/sandboxes.ts";

const registry = createNodeRegistry();
const executor = new WorkflowExecutorV2(registry);

type Language = "javascript" | "python3";
type Output = { name: string; type: "string" | "number" | "boolean" | "object" | "array" | "any" };

/** start(a, b, items) → code → end (one output per declared code output). */
function codeWorkflow(
  language: Language,
  code: string,
  outputs: Output[],
  limits?: { time_ms?: number; memory_mb?: number },
): WorkflowV2Json {
  return singleNodeWorkflow({
    inputs: [
      { name: "a", type: "number" },
      { name: "b", type: "number" },
      { name: "items", type: "array" },
    ],
    node: { id: "code", type: "code", config: { language, code, outputs, ...(limits ? { limits } : {}) } },
    outputs: outputs.map((o) => [o.name, o.name] as const),
  });
}

const run = (
  workflow: WorkflowV2Json,
  inputs: Record<string, unknown> = { a: 2, b: 3, items: ["x", "y"] },
  signal?: AbortSignal,
) => executor.run(workflow, inputs, signal ? { signal } : {});

const codeError = async (workflow: WorkflowV2Json) => {
  const result = await run(workflow);
  expect(result.status).toBe("failed");
  return result.nodes.find((n) => n.nodeId === "code")?.error;
};

const sumJs = codeWorkflow("javascript", "function main({a, b}) {\n  return { sum: a + b };\n}", [
  { name: "sum", type: "number" },
]);
const sumPy = codeWorkflow("python3", "def main(a, b):\n    return {'sum': a + b}", [{ name: "sum", type: "number" }]);

/** The process can still run an ordinary workflow: nothing an attempt did broke it. */
async function stillHealthy() {
  expect((await run(sumJs)).outputs).toEqual({ sum: 5 });
}

describe("code node: JavaScript in QuickJS", () => {
  it("maps inputs in and returns typed outputs", async () => {
    const workflow = codeWorkflow(
      "javascript",
      "function main(inputs) {\n  return { joined: inputs.items.join('+'), n: inputs.a * inputs.b, ok: true, meta: { len: inputs.items.length } };\n}",
      [
        { name: "joined", type: "string" },
        { name: "n", type: "number" },
        { name: "ok", type: "boolean" },
        { name: "meta", type: "object" },
      ],
    );
    const result = await run(workflow);
    expect(result.status).toBe("succeeded");
    expect(result.outputs).toEqual({ joined: "x+y", n: 6, ok: true, meta: { len: 2 } });
  });

  it("supports an async main", async () => {
    const workflow = codeWorkflow("javascript", "async function main({a}) { await null; return { v: a * 10 }; }", [
      { name: "v", type: "number" },
    ]);
    expect((await run(workflow)).outputs).toEqual({ v: 20 });
  });

  it("fails naming the output that is missing or of the wrong type", async () => {
    const mistyped = codeWorkflow("javascript", "function main() { return { sum: 'five' }; }", [
      { name: "sum", type: "number" },
    ]);
    expect((await codeError(mistyped))?.message).toBe('output "sum" must be number, got string');
    const missing = codeWorkflow("javascript", "function main() { return { other: 1 }; }", [
      { name: "sum", type: "number" },
    ]);
    expect(await codeError(missing)).toMatchObject({
      code: "OUTPUT_INVALID",
      message: 'output "sum" is missing from the result of main()',
    });
  });

  it("fails clearly when main is missing or returns something other than an object", async () => {
    const list = codeWorkflow("javascript", "function main() { return [1]; }", []);
    expect((await codeError(list))?.message).toBe("TypeError: main() must return an object of outputs, got array");
    const none = codeWorkflow("javascript", "const x = 1;", []);
    expect((await codeError(none))?.message).toBe("TypeError: the code must define function main(inputs)");
    const pyList = codeWorkflow("python3", "def main():\n    return [1]", []);
    expect((await codeError(pyList))?.message).toBe("TypeError: main() must return a dict of outputs, got list");
  }, 60_000);

  it("reports runtime and syntax errors with the user's line number", async () => {
    const runtime = codeWorkflow("javascript", "function main() {\n  return { sum: x };\n}", [
      { name: "sum", type: "any" },
    ]);
    expect(await codeError(runtime)).toEqual({
      code: "CODE_ERROR",
      message: "line 2: ReferenceError: 'x' is not defined",
    });
    const syntax = codeWorkflow("javascript", "function main() {\n  const a = 1;\n  return { a: (a };\n}", [
      { name: "a", type: "any" },
    ]);
    expect((await codeError(syntax))?.message).toMatch(/^line 3: SyntaxError: /);
  });

  it("stops an infinite loop at its time limit, and the next call works", async () => {
    const loop = codeWorkflow("javascript", "function main() { while (true) {} }", [], { time_ms: 300 });
    const started = performance.now();
    const error = await codeError(loop);
    const elapsed = performance.now() - started;
    expect(error).toEqual({ code: "SANDBOX_TIMEOUT", message: "timed out after 300 ms (time limit)" });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    expect(elapsed).toBeLessThan(300 + 500);
    await stillHealthy();
  });

  it("stops a running sandbox within 1 s of the run being cancelled, without blocking the event loop", async () => {
    const loop = codeWorkflow("javascript", "function main() { while (true) {} }", [], { time_ms: 30_000 });
    const controller = new AbortController();
    const started = performance.now();
    const cancelAt = setTimeout(() => controller.abort(), 200);
    const result = await run(loop, undefined, controller.signal);
    clearTimeout(cancelAt);
    expect(result.status).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(200 + 1_000);
    await stillHealthy();
  });

  it("fails an allocation bomb cleanly with a memory error", async () => {
    const bomb = codeWorkflow(
      "javascript",
      "function main() { const a = []; while (true) a.push(new Float64Array(1e6)); }",
      [],
      { memory_mb: 32, time_ms: 20_000 },
    );
    expect(await codeError(bomb)).toEqual({ code: "SANDBOX_MEMORY", message: "out of memory (memory limit 32 MB)" });
    // QuickJS does not allocate `new Array(1e6)` up front, so this one runs into its time limit instead
    const sparse = codeWorkflow(
      "javascript",
      "function main() { const a = []; while (true) a.push(new Array(1e6)); }",
      [],
      {
        memory_mb: 16,
        time_ms: 1_000,
      },
    );
    expect((await codeError(sparse))?.code).toMatch(/^SANDBOX_(MEMORY|TIMEOUT)$/);
    await stillHealthy();
  });

  it("ends a call stuck in work the interrupt handler cannot see, soon after its deadline", async () => {
    // near the memory limit every string allocation runs QuickJS's collector, which never checks the deadline
    const stuck = codeWorkflow(
      "javascript",
      "function main() { const a = []; for (let i = 0; ; i++) a.push('x'.repeat(1e6) + i); }",
      [],
      {
        time_ms: 1_000,
      },
    );
    const started = performance.now();
    const error = await codeError(stuck);
    expect(error?.code).toMatch(/^SANDBOX_(MEMORY|TIMEOUT)$/);
    expect(performance.now() - started).toBeLessThan(1_000 + 1_000);
    await stillHealthy();
  });

  it("gives the code no host object: process, require and constructor chains find nothing", async () => {
    const probe = codeWorkflow(
      "javascript",
      `function main() {
  const viaConstructor = globalThis.constructor.constructor("return typeof process")();
  const viaFunction = Function("return typeof require")();
  return { seen: [typeof process, typeof require, viaConstructor, viaFunction, typeof fetch, typeof setTimeout].join(",") };
}`,
      [{ name: "seen", type: "string" }],
    );
    expect((await run(probe)).outputs).toEqual({ seen: "undefined,undefined,undefined,undefined,undefined,undefined" });
    const direct = codeWorkflow("javascript", "function main() { return { v: process.env }; }", [
      { name: "v", type: "any" },
    ]);
    expect((await codeError(direct))?.message).toBe("line 1: ReferenceError: 'process' is not defined");
    const imported = codeWorkflow("javascript", "function main() { return { v: require('fs') }; }", [
      { name: "v", type: "any" },
    ]);
    expect((await codeError(imported))?.message).toBe("line 1: ReferenceError: 'require' is not defined");
    await stillHealthy();
  });

  it("gives each call a fresh context: globals set by one call are gone in the next", async () => {
    const writer = codeWorkflow("javascript", "globalThis.leak = 'secret';\nfunction main() { return { v: 1 }; }", [
      { name: "v", type: "number" },
    ]);
    expect((await run(writer)).status).toBe("succeeded");
    const reader = codeWorkflow("javascript", "function main() { return { v: typeof leak }; }", [
      { name: "v", type: "string" },
    ]);
    expect((await run(reader)).outputs).toEqual({ v: "undefined" });
  });
});

describe("code node: limits", () => {
  it("rejects a node asking for more than the server maxima, naming the field", () => {
    const tooLong = codeWorkflow("javascript", "function main() { return {}; }", [], { time_ms: 60_000 });
    const problems = validateWorkflow(tooLong, registry).problems;
    expect(problems.map((p) => p.path)).toContain("nodes[1].config.limits.time_ms");
    const strict = createNodeRegistry({ sandbox: { maxima: { memory_mb: 32 } } });
    const tooBig = codeWorkflow("javascript", "function main() { return {}; }", [], { memory_mb: 64 });
    expect(validateWorkflow(tooBig, strict).problems.map((p) => p.path)).toContain("nodes[1].config.limits.memory_mb");
  });

  it("applies the server default time limit when the node sets none", async () => {
    const quick = new WorkflowExecutorV2(createNodeRegistry({ sandbox: { defaults: { time_ms: 200 } } }));
    const result = await quick.run(codeWorkflow("javascript", "function main() { while (true) {} }", []), {});
    expect(result.nodes.find((n) => n.nodeId === "code")?.error?.message).toBe("timed out after 200 ms (time limit)");
  });
});

describe("code node: Python in Pyodide", () => {
  it("maps inputs in and returns typed outputs, with def main(a, b) and def main(**inputs)", async () => {
    const named = await run(sumPy);
    expect(named.status).toBe("succeeded");
    expect(named.outputs).toEqual({ sum: 5 });
    const kwargs = codeWorkflow(
      "python3",
      "def main(**inputs):\n    print('items:', inputs['items'])\n    return {'upper': [s.upper() for s in inputs['items']], 'keys': sorted(inputs)}",
      [
        { name: "upper", type: "array" },
        { name: "keys", type: "array" },
      ],
    );
    const result = await run(kwargs);
    expect(result.outputs).toEqual({ upper: ["X", "Y"], keys: ["a", "b", "items"] });
    expect(result.nodes.find((n) => n.nodeId === "code")?.processData).toMatchObject({ stdout: "items: ['x', 'y']" });
  }, 60_000);

  it("runs the README example: a constant input beside a mapped one", async () => {
    const workflow: WorkflowV2Json = {
      schema_version: 2,
      nodes: [
        { id: "start", type: "start", config: { inputs: [{ name: "prices", type: "array" }] } },
        {
          id: "total",
          type: "code",
          config: {
            language: "python3",
            code: "def main(prices, currency):\n    return {'total': sum(prices), 'label': f'{sum(prices):.2f} {currency}'}",
            outputs: [
              { name: "total", type: "number" },
              { name: "label", type: "string" },
            ],
            limits: { time_ms: 2000, memory_mb: 32 },
          },
          variable_mappings: [
            { target_port: "prices", selector: ["start", "prices"] },
            { target_port: "currency", value: "EUR" },
          ],
        },
        {
          id: "end",
          type: "end",
          variable_mappings: [
            { target_port: "total", selector: ["total", "total"] },
            { target_port: "label", selector: ["total", "label"] },
          ],
        },
      ],
      edges: [
        { source: "start", target: "total" },
        { source: "total", target: "end" },
      ],
    };
    expect((await executor.run(workflow, { prices: [1.5, 2.25] })).outputs).toEqual({ total: 3.75, label: "3.75 EUR" });
  }, 60_000);

  it("reuses the warm interpreter: the second and third calls load nothing and take far less than the load", async () => {
    const python = sharedSandboxes().python;
    await python.warmUp();
    const loads = python.loads;
    const times: number[] = [];
    for (let i = 0; i < 2; i++) {
      const started = performance.now();
      expect((await run(sumPy)).outputs).toEqual({ sum: 5 });
      times.push(performance.now() - started);
    }
    expect(python.loads).toBe(loads);
    expect(Math.max(...times)).toBeLessThan((python.lastLoadMs ?? 0) / 10);
  }, 60_000);

  it("fails naming the output that is mistyped", async () => {
    const mistyped = codeWorkflow("python3", "def main():\n    return {'sum': [1]}", [{ name: "sum", type: "number" }]);
    expect(await codeError(mistyped)).toEqual({
      code: "OUTPUT_INVALID",
      message: 'output "sum" must be number, got array',
    });
  }, 60_000);

  it("reports runtime and syntax errors with the user's line number", async () => {
    const zero = codeWorkflow("python3", "def main(a):\n    b = 0\n    return {'v': a / b}", [
      { name: "v", type: "any" },
    ]);
    expect(await codeError(zero)).toEqual({
      code: "CODE_ERROR",
      message: "line 3: ZeroDivisionError: division by zero",
    });
    const syntax = codeWorkflow("python3", "def main():\n    return {'v': (}", [{ name: "v", type: "any" }]);
    expect((await codeError(syntax))?.message).toMatch(/^line 2: SyntaxError: /);
  }, 60_000);

  it("fails allocation bombs cleanly with a memory error, and the interpreter stays warm", async () => {
    const python = sharedSandboxes().python;
    await python.warmUp();
    const loads = python.loads;
    const huge = codeWorkflow("python3", "def main():\n    x = 'a' * 10**10\n    return {}", []);
    expect(await codeError(huge)).toEqual({ code: "SANDBOX_MEMORY", message: "out of memory (memory limit 64 MB)" });
    const growing = codeWorkflow(
      "python3",
      "def main():\n    a = []\n    while True:\n        a.append(' ' * 10**6)",
      [],
    );
    expect(await codeError(growing)).toEqual({ code: "SANDBOX_MEMORY", message: "out of memory (memory limit 64 MB)" });
    expect((await run(sumPy)).outputs).toEqual({ sum: 5 });
    expect(python.loads).toBe(loads);
  }, 60_000);

  it("refuses JavaScript, the network and packages it does not have, with a clear message", async () => {
    const js = codeWorkflow("python3", "import js\ndef main():\n    return {}", []);
    expect((await codeError(js))?.message).toBe(
      "line 1: ModuleNotFoundError: package 'js' is not available in the sandbox",
    );
    const requests = codeWorkflow("python3", "def main():\n    import requests\n    return {}", []);
    expect((await codeError(requests))?.message).toBe(
      "line 2: ModuleNotFoundError: package 'requests' is not available in the sandbox",
    );
    for (const name of ["pyodide_js", "pyodide.http", "micropip", "socket", "urllib.request"]) {
      const blocked = codeWorkflow("python3", `import ${name}\ndef main():\n    return {}`, []);
      expect((await codeError(blocked))?.message).toMatch(
        /^line 1: ModuleNotFoundError: package '\w+' is not available/,
      );
    }
  }, 60_000);

  it("sees only the virtual filesystem and no host environment", async () => {
    const probe = codeWorkflow(
      "python3",
      `import os, sys
def main():
    listing = []
    for root, dirs, files in os.walk('/'):
        listing.extend(os.path.join(root, n) for n in dirs + files)
    try:
        passwd = open('/etc/passwd').read()
    except OSError as error:
        passwd = type(error).__name__
    return {'listing': listing, 'env': dict(os.environ), 'passwd': passwd, 'argv': sys.argv, 'executable': sys.executable}`,
      [
        { name: "listing", type: "array" },
        { name: "env", type: "object" },
        { name: "passwd", type: "string" },
        { name: "argv", type: "array" },
        { name: "executable", type: "string" },
      ],
    );
    const result = await run(probe);
    expect(result.status).toBe("succeeded");
    const seen = JSON.stringify(result.outputs);
    for (const hostPath of ["/work", process.cwd(), "node_modules", "/usr/local", "/root"])
      expect(seen).not.toContain(hostPath);
    expect(result.outputs.passwd).toBe("FileNotFoundError");
    for (const key of Object.keys(process.env)) {
      if (!["HOME", "PATH", "PWD", "LANG", "USER", "LOGNAME", "LD_LIBRARY_PATH"].includes(key)) {
        expect(result.outputs.env).not.toHaveProperty(key);
      }
    }
    await stillHealthy();
  }, 60_000);

  it("stops an infinite loop at its time limit, and the next call works", async () => {
    const loop = codeWorkflow("python3", "def main():\n    while True:\n        pass", [], { time_ms: 1_000 });
    await sharedSandboxes().python.warmUp();
    const started = performance.now();
    const error = await codeError(loop);
    const elapsed = performance.now() - started;
    expect(error).toEqual({ code: "SANDBOX_TIMEOUT", message: "timed out after 1000 ms (time limit)" });
    expect(elapsed).toBeLessThan(1_000 + 500);
    expect((await run(sumPy)).outputs).toEqual({ sum: 5 });
  }, 60_000);

  it("stops a running interpreter within 1 s of the run being cancelled", async () => {
    await sharedSandboxes().python.warmUp();
    const loop = codeWorkflow("python3", "def main():\n    while True:\n        pass", [], { time_ms: 30_000 });
    const controller = new AbortController();
    const started = performance.now();
    const cancelAt = setTimeout(() => controller.abort(), 300);
    const result = await run(loop, undefined, controller.signal);
    clearTimeout(cancelAt);
    expect(result.status).toBe("cancelled");
    expect(performance.now() - started).toBeLessThan(300 + 1_000);
    expect((await run(sumPy)).outputs).toEqual({ sum: 5 });
  }, 60_000);
});
