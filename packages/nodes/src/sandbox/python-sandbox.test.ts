import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonSandbox } from "./python-sandbox.ts";
import { SandboxError } from "./sandbox-error.ts";

const python = new PythonSandbox();
const limits = { time_ms: 5_000, memory_mb: 64 };

async function call(code: string, inputs: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const { json } = await python.run({ code, inputsJson: JSON.stringify(inputs), limits }, new AbortController().signal);
  return JSON.parse(json) as Record<string, unknown>;
}

/** Python that finds an already-loaded module by name through the garbage collector, import system bypassed. */
const FIND_MODULE = `import gc
def loaded(name):
    return next(o for o in gc.get_objects() if type(o).__name__ == 'module' and o.__name__ == name)
def attempt(f):
    try:
        return 'ok: ' + repr(f())[:200]
    except BaseException as error:
        return 'refused: ' + repr(error)[:200]
`;

beforeAll(() => python.warmUp(), 60_000);
afterAll(() => python.close());

describe("PythonSandbox", () => {
  it("loads the interpreter once: later calls reuse it", async () => {
    expect(python.loads).toBe(1);
    for (let i = 0; i < 3; i++)
      expect(await call("def main(n):\n    return {'n': n * 2}", { n: i })).toEqual({ n: i * 2 });
    expect(python.loads).toBe(1);
  });

  it("gives each call a fresh namespace", async () => {
    await call("secret = 'from call one'\ndef main():\n    return {}");
    expect(await call("def main():\n    return {'seen': 'secret' in globals()}")).toEqual({ seen: false });
  });

  it("cannot run JavaScript from a string even with Pyodide's bridge in hand", async () => {
    const result = await call(`${FIND_MODULE}
def main():
    core = loaded('_pyodide_core')
    code = loaded('pyodide.code')
    return {
        'constructor': attempt(lambda: core.to_js({}).constructor.constructor('return process')()),
        'run_js': attempt(lambda: code.run_js('process.pid')),
        'js_table': attempt(lambda: dict(loaded('_pyodide._importhook').jsfinder.jsproxies)),
    }`);
    expect(result.constructor).toMatch(/^refused: .*Code generation from strings disallowed/);
    expect(result.run_js).toMatch(/^refused: .*(Code generation from strings disallowed|not available in the sandbox)/);
    // Pyodide's own table of `js` and `pyodide_js` is emptied, so its API is not at hand either
    expect(result.js_table).toBe("ok: {}");
  });

  it("opens no network connection, even through the socket module loaded behind the import system", async () => {
    let connections = 0;
    const server: Server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await call(
        `import importlib._bootstrap as bootstrap
def main(port):
    try:
        _socket = bootstrap._builtin_from_name('_socket')
        s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(('127.0.0.1', port))
        s.send(b'GET / HTTP/1.0\\r\\n\\r\\n')
        return {'connected': True}
    except BaseException as error:
        return {'connected': False, 'error': repr(error)}`,
        { port },
      );
      expect(result.connected).toBe(false);
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("replaces the interpreter after a call that patched a shared module, so the next call sees it unpatched", async () => {
    const loads = python.loads;
    await call("import json\njson.dumps = lambda *a, **k: 'stolen'\ndef main():\n    return {}");
    expect(await call("import json\ndef main():\n    return {'s': json.dumps([1])}")).toEqual({ s: "[1]" });
    expect(python.loads).toBe(loads + 1);
  }, 60_000);

  it("keeps the warm interpreter when a call only imported modules of its own", async () => {
    const loads = python.loads;
    await call("import fractions, email.mime.text\ndef main():\n    return {'f': str(fractions.Fraction(1, 3))}");
    await call("def main():\n    return {}");
    expect(python.loads).toBe(loads);
  });

  it("lets a call queued behind a busy interpreter stop waiting as soon as it is cancelled", async () => {
    const busy = python
      .run(
        {
          code: "def main():\n    while True:\n        pass",
          inputsJson: "{}",
          limits: { time_ms: 3_000, memory_mb: 64 },
        },
        new AbortController().signal,
      )
      .catch((e: unknown) => e);
    const controller = new AbortController();
    const queued = python.run({ code: "def main():\n    return {}", inputsJson: "{}", limits }, controller.signal);
    const started = performance.now();
    setTimeout(() => controller.abort(new Error("cancelled while queued")), 100);
    await expect(queued).rejects.toThrow("cancelled while queued");
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await busy).toMatchObject({ code: "SANDBOX_TIMEOUT" });
    expect(await call("def main():\n    return {'ok': True}")).toEqual({ ok: true });
  }, 60_000);

  it("rejects with a SandboxError naming the line when the code raises", async () => {
    const error = await call("def main():\n    raise ValueError('bad input')").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SandboxError);
    expect(error).toMatchObject({ code: "CODE_ERROR", line: 2, message: "line 2: ValueError: bad input" });
  });
});
