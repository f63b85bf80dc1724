// @ts-check
/**
 * The Pyodide child process. The host starts it with `--disallow-code-generation-from-strings`
 * (Python can reach JavaScript objects through Pyodide's bridge, but cannot turn a string into
 * JavaScript), Node's permission model (read access to Pyodide's files only: no other file, no
 * write, no child process, no worker, no native addon), an empty environment, and a capped heap.
 * Before Pyodide loads, this file also shuts the network modules and caps WebAssembly memory
 * growth; after it loads, it removes the globals Pyodide leaves behind (`require`).
 * Plain JavaScript: no TypeScript loader may run under the permission model.
 */
import dgram from "node:dgram";
import dns from "node:dns";
import { constants as fsConstants, readFileSync } from "node:fs";
import net from "node:net";
import { pathToFileURL } from "node:url";

/** @type {{ pyodideDir: string, harnessPath: string }} */
const config = JSON.parse(process.argv[2] ?? "{}");
const send = process.send?.bind(process);
if (!send) throw new Error("python-child.mjs must be started with an IPC channel");
const exit = process.exit.bind(process);
process.on("disconnect", () => exit(0));

// --- network: every socket, listener and lookup fails -------------------------------------
const refuse = () => {
  throw new Error("not available in the sandbox");
};
for (const target of [net.Socket.prototype, net.Server.prototype, dgram.Socket.prototype]) {
  for (const method of ["connect", "listen", "bind", "send"]) {
    if (method in target) Object.defineProperty(target, method, { value: refuse, writable: false });
  }
}
for (const method of ["lookup", "resolve", "resolve4", "resolve6", "resolveAny"]) {
  Object.defineProperty(dns, method, { value: refuse, writable: false });
}
for (const name of ["fetch", "WebSocket", "EventSource", "XMLHttpRequest"]) {
  Reflect.deleteProperty(globalThis, name);
}

// --- memory: the interpreter's wasm heap may grow only up to the current job's cap -----------
let heapCapBytes = Number.POSITIVE_INFINITY;
/** @type {{ prototype: { grow(pages: number): number } }} */
const WasmMemory = Reflect.get(Reflect.get(globalThis, "WebAssembly"), "Memory");
const grow = WasmMemory.prototype.grow;
Object.defineProperty(WasmMemory.prototype, "grow", {
  /** @this {{ buffer: ArrayBuffer }} */
  value: function cappedGrow(/** @type {number} */ pages) {
    if (this.buffer.byteLength + pages * 65536 > heapCapBytes) throw new RangeError("sandbox memory limit");
    return grow.call(this, pages);
  },
  writable: false,
});

// Pyodide's NODEFS reads fs constants through process.binding, which the permission model denies.
/** @type {(name: string) => unknown} */
const binding = Reflect.get(process, "binding").bind(process);
Object.defineProperty(process, "binding", {
  value: (/** @type {string} */ name) => (name === "constants" ? { fs: fsConstants } : binding(name)),
});

const host = process;
/** @type {(listener: (job: any) => void) => void} */
const onMessage = (listener) => {
  host.on("message", listener);
};

const started = performance.now();
const { loadPyodide } = await import(pathToFileURL(`${config.pyodideDir}/pyodide.mjs`).href);
/** @type {string[]} */
let output = [];
let outputBytes = 0;
const OUTPUT_LIMIT = 16 * 1024;
const capture = (/** @type {string} */ line) => {
  if (outputBytes >= OUTPUT_LIMIT) return;
  output.push(line.slice(0, OUTPUT_LIMIT - outputBytes));
  outputBytes += line.length;
};
const pyodide = await loadPyodide({
  indexURL: `${config.pyodideDir}/`,
  jsglobals: Object.create(null),
  env: { HOME: "/home/pyodide" },
  stdout: capture,
  stderr: capture,
});
// `require` is Pyodide's shim (fs, crypto, ws, child_process); `process` could signal other processes.
for (const name of ["require", "process"]) Reflect.deleteProperty(globalThis, name);
for (const name of ["mountNodeFS", "mountNativeFS", "loadPackage", "loadPackagesFromImports"]) {
  Object.defineProperty(pyodide, name, { value: refuse, writable: false });
}
const harnessGlobals = pyodide.toPy({ __name__: "_portflow_harness" });
pyodide.runPython(readFileSync(config.harnessPath, "utf8"), { globals: harnessGlobals });
const runJob = harnessGlobals.get("_portflow_run");
const heap = () => pyodide._module.HEAPU8.byteLength;
const baseHeapBytes = heap();
const loadMs = performance.now() - started;
heapCapBytes = baseHeapBytes;

/**
 * @typedef {{ id: number, code: string, inputsJson: string, memoryBytes: number }} Job
 */
onMessage((/** @type {Job} */ job) => {
  output = [];
  outputBytes = 0;
  heapCapBytes = Math.max(heap(), baseHeapBytes + job.memoryBytes);
  /** @type {Record<string, unknown>} */
  let reply;
  try {
    reply = JSON.parse(runJob(job.code, job.inputsJson));
  } catch (error) {
    // The interpreter itself failed (wasm stack exhausted, exit()): this process is done.
    send({ id: job.id, ok: false, code: "SANDBOX_CRASHED", message: `the Python sandbox stopped: ${String(error)}` });
    setImmediate(() => exit(1));
    return;
  } finally {
    heapCapBytes = heap();
  }
  if (reply.code === "SANDBOX_MEMORY") reply.message = `out of memory (memory limit ${job.memoryBytes / 2 ** 20} MB)`;
  send({ ...reply, id: job.id, output: output.join("\n"), heapBytes: heap() });
});
send({ ready: true, loadMs, heapBytes: baseHeapBytes });
