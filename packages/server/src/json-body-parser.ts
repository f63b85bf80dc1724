/**
 * The app's one JSON body parser. After `JSON.parse` (iterative in V8) and before anything
 * recursive sees the body (zod, the engine, storage), an iterative walk refuses:
 * nesting deeper than MAX_JSON_DEPTH, the keys `__proto__` and `constructor.prototype`, and
 * numbers JSON.parse turned into Infinity. Each refusal is a 400 naming the JSON path.
 * @module
 */
import type { FastifyInstance } from "fastify";
import { AppError } from "./app-error.ts";

/** Deepest nesting of objects and arrays accepted in a JSON body; the body itself is level 1. */
export const MAX_JSON_DEPTH = 64;

/** Where a body breaks a rule, and which. */
export interface JsonBodyIssue {
  readonly path: string;
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return PLAIN_KEY.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * A place where `value` (a parsed JSON body) breaks a rule, or undefined when it breaks none.
 * Iterative: any depth is safe.
 */
export function findJsonBodyIssue(value: unknown, maxDepth = MAX_JSON_DEPTH, root = "body"): JsonBodyIssue | undefined {
  const outOfRange = (path: string) => ({
    path,
    message: "the number is out of range (beyond ±1.7976931348623157e308)",
  });
  if (typeof value === "number" && !Number.isFinite(value)) return outOfRange(root);
  const stack: { value: object; depth: number; path: string }[] = [];
  if (value !== null && typeof value === "object") stack.push({ value, depth: 1, path: root });
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, depth, path } = item;
    if (depth > maxDepth) {
      return {
        path,
        message: `nested deeper than ${maxDepth} levels of objects and arrays (the limit for a JSON body)`,
      };
    }
    // Only containers go on the stack (a 2 MiB array of numbers stays cheap); numbers are checked here.
    const containers: { value: object; depth: number; path: string }[] = [];
    const entries: Iterable<[string | number, unknown]> = Array.isArray(current)
      ? current.entries()
      : Object.entries(current);
    for (const [key, child] of entries) {
      if (key === "__proto__") return { path: childPath(path, key), message: 'the key "__proto__" is not allowed' };
      if (typeof child === "number") {
        if (!Number.isFinite(child)) return outOfRange(childPath(path, key));
      } else if (child !== null && typeof child === "object") {
        if (key === "constructor" && Object.hasOwn(child, "prototype")) {
          return { path: childPath(path, key), message: 'the key "constructor" holding "prototype" is not allowed' };
        }
        containers.push({ value: child, depth: depth + 1, path: childPath(path, key) });
      }
    }
    // Reversed, so the first container is looked at first.
    for (let i = containers.length - 1; i >= 0; i--) stack.push(containers[i]!);
  }
  return undefined;
}

function invalid(path: string, message: string): AppError {
  return new AppError(400, "validation_error", `invalid request: ${path}: ${message}`, {
    issues: [{ path, message }],
  });
}

/** Parses a JSON body text, or throws the 400 that names what is wrong and where. */
export function parseJsonBody(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.length === 0) throw invalid("body", "is empty, but content-type says application/json");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError(400, "bad_request", `body: not valid JSON (${(error as Error).message})`, {
      issues: [{ path: "body", message: "not valid JSON" }],
    });
  }
  const issue = findJsonBodyIssue(value, maxDepth);
  if (issue !== undefined) throw invalid(issue.path, issue.message);
  return value;
}

/** Replaces Fastify's JSON parser with `parseJsonBody` (the app's bodyLimit still applies first). */
export function installJsonBodyParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string, maxDepth));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
