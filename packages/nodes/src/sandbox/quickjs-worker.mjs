// @ts-check
/**
 * Worker thread that evaluates untrusted JavaScript and Jinja templates in QuickJS (WebAssembly).
 * The QuickJS context has no host object: inputs go in as a JSON string, results come out as one.
 * Each job gets a fresh runtime and context, so jobs cannot see each other. The interrupt handler
 * stops a job at its deadline or when the host sets the shared cancel flag.
 * Plain JavaScript so it starts the same under vitest, tsx and node.
 */
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import releaseSync from "@jitl/quickjs-wasmfile-release-sync";
import { newQuickJSWASMModuleFromVariant } from "quickjs-emscripten-core";

/** @type {import("quickjs-emscripten-core").QuickJSSyncVariant} */
const variant = /** @type {any} */ (releaseSync);

const STACK_BYTES = 256 * 1024;
const CODE_FILE = "code.js";
const JINJA_SOURCE = readFileSync(new URL("./jinja-bundle.generated.js", import.meta.url), "utf8");

/** Calls the user's main with the parsed inputs; the result is encoded inside the sandbox. */
const CODE_HARNESS = `(function (json) {
  if (typeof main !== "function") throw new TypeError("the code must define function main(inputs)");
  const encode = (value) => {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new TypeError("main() must return an object of outputs, got " + (Array.isArray(value) ? "array" : value === null ? "null" : typeof value));
    return JSON.stringify(value);
  };
  const out = main(JSON.parse(json));
  if (out !== null && typeof out === "object" && typeof out.then === "function") return out.then(encode);
  return encode(out);
})`;

/**
 * Renders a template over the inputs. Like the engine's own templates (and Jinja's
 * StrictUndefined), printing a variable or attribute that does not exist is an error naming it;
 * `is defined` and `default(...)` still see it as undefined.
 */
const TEMPLATE_HARNESS = `(function (json, template) {
  const describe = (node) => {
    if (node.type === "Identifier") return node.value;
    if (node.type === "MemberExpression") {
      const property = !node.computed && node.property.type === "Identifier" ? node.property.value : "[...]";
      return describe(node.object) + "." + property;
    }
    return "an expression";
  };
  const evaluateBlock = __jinja.Interpreter.prototype.evaluateBlock;
  // the same loop as the library's, with the check where the statement is evaluated
  __jinja.Interpreter.prototype.evaluateBlock = function (statements, environment) {
    const StringValue = evaluateBlock.call(this, [], environment).constructor;
    let result = "";
    for (const statement of statements) {
      const value = this.evaluate(statement, environment);
      if (value.type === "UndefinedValue" && (statement.type === "Identifier" || statement.type === "MemberExpression"))
        throw new ReferenceError('variable "' + describe(statement) + '" is not defined');
      if (value.type !== "NullValue" && value.type !== "UndefinedValue") result += value.toString();
    }
    return new StringValue(result);
  };
  // Jinja2's defaults (no trim_blocks / lstrip_blocks, which the library turns on for chat templates)
  const compiled = new __jinja.Template("");
  compiled.parsed = __jinja.parse(__jinja.tokenize(template, {}));
  return String(compiled.render(JSON.parse(json)));
})`;

/** @type {Int32Array} */
const cancelFlag = workerData.cancelFlag;
/** @type {import("quickjs-emscripten-core").QuickJSWASMModule | undefined} */
let module = await newQuickJSWASMModuleFromVariant(variant);

/**
 * @typedef {{ id: number, kind: "code" | "template", source: string, inputsJson: string, timeMs: number, memoryBytes: number }} Job
 * @typedef {{ id: number, ok: true, value: string } | { id: number, ok: false, code: string, message: string, line?: number }} Reply
 */

/** @param {Job} job @returns {Reply} */
function runJob(job) {
  if (!module) throw new Error("QuickJS is not loaded");
  const deadline = Date.now() + job.timeMs;
  /** @type {"timeout" | "cancel" | undefined} */
  let stoppedBy;
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(job.memoryBytes);
  runtime.setMaxStackSize(STACK_BYTES);
  runtime.setInterruptHandler(() => {
    if (Atomics.load(cancelFlag, 0) !== 0) stoppedBy = "cancel";
    else if (Date.now() > deadline) stoppedBy = "timeout";
    return stoppedBy !== undefined;
  });
  const vm = runtime.newContext();
  /** @param {import("quickjs-emscripten-core").QuickJSHandle} handle @returns {Reply} */
  const failWith = (handle) => {
    const error = vm.dump(handle);
    handle.dispose();
    return { id: job.id, ...describeError(error, job, stoppedBy) };
  };
  try {
    const isCode = job.kind === "code";
    const loaded = vm.evalCode(isCode ? job.source : JINJA_SOURCE, isCode ? CODE_FILE : "jinja.js");
    if (loaded.error) return failWith(loaded.error);
    loaded.value.dispose();
    const harness = vm.evalCode(isCode ? CODE_HARNESS : TEMPLATE_HARNESS, "harness.js");
    if (harness.error) return failWith(harness.error);
    const args = [vm.newString(job.inputsJson)];
    if (!isCode) args.push(vm.newString(job.source));
    const called = vm.callFunction(harness.value, vm.undefined, ...args);
    for (const arg of args) arg.dispose();
    harness.value.dispose();
    if (called.error) return failWith(called.error);
    let result = called.value;
    if (vm.typeof(result) === "object") {
      // an async main: run its jobs here (the interrupt handler still bounds them)
      for (;;) {
        const state = vm.getPromiseState(result);
        if (state.type === "fulfilled") {
          if (!state.notAPromise) result.dispose();
          result = state.value;
          break;
        }
        if (state.type === "rejected") {
          result.dispose();
          return failWith(state.error);
        }
        const ran = runtime.executePendingJobs();
        if (ran.error) {
          result.dispose();
          return failWith(ran.error);
        }
        if (ran.value === 0) {
          result.dispose();
          return { id: job.id, ok: false, code: "CODE_ERROR", message: "main() returned a promise that never settles" };
        }
      }
    }
    const value = vm.getString(result);
    result.dispose();
    return { id: job.id, ok: true, value };
  } catch (error) {
    // A host-side fault (wasm stack exhausted and the like): start from a fresh module next time.
    module = undefined;
    return { id: job.id, ok: false, code: "SANDBOX_CRASHED", message: `sandbox fault: ${String(error)}` };
  } finally {
    try {
      vm.dispose();
      runtime.dispose();
    } catch {
      module = undefined;
    }
  }
}

/**
 * @param {unknown} error the dumped QuickJS error
 * @param {Job} job
 * @param {"timeout" | "cancel" | undefined} stoppedBy
 * @returns {{ ok: false, code: string, message: string, line?: number }}
 */
function describeError(error, job, stoppedBy) {
  if (stoppedBy === "cancel") return { ok: false, code: "SANDBOX_CANCELLED", message: "cancelled" };
  if (stoppedBy === "timeout")
    return { ok: false, code: "SANDBOX_TIMEOUT", message: `timed out after ${job.timeMs} ms (time limit)` };
  const e = /** @type {{ name?: unknown, message?: unknown, stack?: unknown, lineNumber?: unknown }} */ (
    typeof error === "object" && error !== null ? error : { message: String(error) }
  );
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : String(error);
  if (name === "InternalError" && message === "out of memory") {
    module = undefined;
    return {
      ok: false,
      code: "SANDBOX_MEMORY",
      message: `out of memory (memory limit ${Math.round(job.memoryBytes / 2 ** 20)} MB)`,
    };
  }
  if (job.kind === "template") return { ok: false, code: "CODE_ERROR", message: `${name}: ${message}` };
  const line = userLine(e);
  return {
    ok: false,
    code: "CODE_ERROR",
    message: `${line !== undefined ? `line ${line}: ` : ""}${name}: ${message}`,
    ...(line !== undefined ? { line } : {}),
  };
}

/** @param {{ stack?: unknown, lineNumber?: unknown, fileName?: unknown }} e */
function userLine(e) {
  if (typeof e.lineNumber === "number" && e.fileName === CODE_FILE) return e.lineNumber;
  const match = typeof e.stack === "string" ? /code\.js:(\d+)/.exec(e.stack) : null;
  return match ? Number(match[1]) : undefined;
}

if (!parentPort) throw new Error("quickjs-worker.mjs must run as a worker thread");
const port = parentPort;
port.on("message", async (/** @type {Job} */ job) => {
  module ??= await newQuickJSWASMModuleFromVariant(variant);
  port.postMessage(runJob(job));
});
port.postMessage({ ready: true });
