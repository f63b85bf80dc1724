/**
 * The draft-save property, shared by the PGlite and the PostgreSQL fuzz tests: random mutations
 * of `examples/rag-bot/workflow.json` sent to `PUT …/workflow-versions/draft` never answer 5xx;
 * every refusal names where in the body it is; every save reads back equal. Not exported from
 * the testing barrel (it needs fast-check and vitest).
 * @module
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { expect } from "vitest";
import type { TestApp } from "./test-app.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON text spliced into the body as it is: no JS value can hold it (50,000 levels, 1e400). */
interface RawJson {
  readonly raw: string;
}
type Payload = Json | RawJson;

interface Mutation {
  readonly op: "delete" | "replace" | "insert";
  /** Picks the target among the document's places, modulo their count. */
  readonly at: number;
  readonly key: string;
  readonly payload: Payload;
}

export interface DraftFuzzCase {
  readonly mutations: readonly Mutation[];
  readonly notes: string | undefined;
}

const BASE: Json = JSON.parse(
  readFileSync(new URL("../../../../examples/rag-bot/workflow.json", import.meta.url), "utf8"),
) as Json;

/** The body limit of build-app.ts; the depth limit of json-body-parser.ts, restated as the spec. */
const BODY_LIMIT = 2 * 1024 * 1024;
const MAX_DEPTH = 64;
const NOTES_MAX = 2_000;

const awkwardString = fc
  .array(
    fc.constantFrom(
      "\u0000",
      "\ud800",
      "\udfff",
      "\r\n",
      "\t",
      "\u001b",
      "\ufdd0",
      "😀",
      "é",
      "日本",
      "a",
      "start",
      "{{query}}",
      "\\u0000",
      '"',
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(""));

const nested = (levels: number, kind: "array" | "object"): RawJson =>
  kind === "array"
    ? { raw: `${"[".repeat(levels)}${"]".repeat(levels)}` }
    : { raw: `${'{"a":'.repeat(levels)}0${"}".repeat(levels)}` };

const payload: fc.Arbitrary<Payload> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, weight: 8 },
  { arbitrary: awkwardString, weight: 8 },
  {
    // Huge numbers: past a double (1e400 parses to Infinity), past 2^53, the extremes.
    arbitrary: fc.constantFrom<Payload>(
      { raw: "1e400" },
      { raw: "-1e999" },
      { raw: "123456789012345678901234567890" },
      1.7976931348623157e308,
      5e-324,
      Number.MAX_SAFE_INTEGER + 2,
    ),
    weight: 3,
  },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 10_000, max: 50_000 }), fc.constantFrom("array" as const, "object" as const))
      .map(([levels, kind]) => nested(levels, kind)),
    weight: 2,
  },
  {
    // Right around the depth limit, as real values: some fit, some do not.
    arbitrary: fc.integer({ min: 55, max: 66 }).map((levels) => JSON.parse(nested(levels, "object").raw) as Json),
    weight: 2,
  },
  { arbitrary: fc.constantFrom<Payload>(null, true, 0, -1, "", [], {}, "start", [["start"]]), weight: 5 },
  {
    // Huge arrays, as text: the document the mutations walk stays small.
    arbitrary: fc
      .tuple(fc.integer({ min: 10_000, max: 30_000 }), fc.constantFrom("0", '"ab"', "null", "{}"))
      .map(([length, item]): RawJson => ({ raw: `[${new Array<string>(length).fill(item).join(",")}]` })),
    weight: 1,
  },
  // Over the 2 MiB body limit on its own.
  { arbitrary: fc.constant<RawJson>({ raw: `[${"0,".repeat(1_100_000)}0]` }), weight: 1 },
);

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("delete", "replace", "insert"),
  at: fc.nat(),
  key: fc.oneof(awkwardString, fc.constantFrom("nodes", "edges", "config", "__proto__", "constructor")),
  payload,
});

/** Random mutations of the rag-bot workflow, and sometimes notes. */
export const draftFuzzCase: fc.Arbitrary<DraftFuzzCase> = fc.record({
  mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
  notes: fc.option(fc.oneof(fc.string({ maxLength: 40 }), awkwardString), { nil: undefined }),
});

interface Place {
  readonly parent: Json[] | { [key: string]: Json } | undefined;
  readonly key: string | number;
}

/** Every place in the document: the root, then each member, breadth first. */
function placesOf(doc: Json): Place[] {
  const places: Place[] = [{ parent: undefined, key: "" }];
  const queue: Json[] = [doc];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    if (node === null || typeof node !== "object") continue;
    for (const [key, child] of Object.entries(node)) {
      places.push({ parent: node, key: Array.isArray(node) ? Number(key) : key });
      queue.push(child);
    }
  }
  return places;
}

/** The body text of a case: placeholders stand in for raw JSON until the text is built. */
export function draftBodyText(testCase: DraftFuzzCase): string {
  const raws: string[] = [];
  const jsonOf = (p: Payload): Json => {
    if (p !== null && typeof p === "object" && "raw" in p && typeof p.raw === "string") {
      raws.push(p.raw);
      return `\u0002raw:${raws.length - 1}:pf-fuzz\u0002`;
    }
    // A copy: fast-check hands out the same constant objects again, and the mutations edit in place.
    return structuredClone(p as Json);
  };
  let doc: Json | undefined = structuredClone(BASE);
  for (const m of testCase.mutations) {
    if (doc === undefined) doc = jsonOf(m.payload);
    const places = placesOf(doc);
    const place = places[m.at % places.length]!;
    const { parent, key } = place;
    if (m.op === "insert") {
      const target: Json = parent === undefined ? doc : (parent as Record<string, Json>)[key as string]!;
      if (Array.isArray(target)) target.splice(m.at % (target.length + 1), 0, jsonOf(m.payload));
      else if (target !== null && typeof target === "object") {
        // defineProperty: "__proto__" becomes a member (as JSON.parse would make it), not a prototype.
        Object.defineProperty(target, m.key, {
          value: jsonOf(m.payload),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else if (parent === undefined) doc = jsonOf(m.payload);
      else (parent as Record<string, Json>)[key as string] = jsonOf(m.payload);
    } else if (parent === undefined) {
      doc = m.op === "delete" ? undefined : jsonOf(m.payload);
    } else if (m.op === "delete") {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else {
      (parent as Record<string, Json>)[key as string] = jsonOf(m.payload);
    }
  }
  const body: Record<string, Json> = { force: true };
  if (doc !== undefined) body.graph = doc;
  if (testCase.notes !== undefined) body.notes = testCase.notes;
  return JSON.stringify(body).replace(/"\\u0002raw:(\d+):pf-fuzz\\u0002"/g, (_m, i: string) => raws[Number(i)]!);
}

/** Independently of the server: would a correct server save this body (within the size limit)? */
function shouldSave(parsed: unknown): boolean {
  const body = parsed as { graph?: unknown; notes?: unknown };
  const graph = body.graph;
  if (graph === null || typeof graph !== "object" || Array.isArray(graph)) return false;
  if (typeof body.notes === "string") {
    if (body.notes.length > NOTES_MAX || !/^(?:[\t\n\r]|[^\p{Cc}\p{Cs}])*$/u.test(body.notes)) return false;
  }
  const stack: [unknown, number][] = [[parsed, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item;
    if (typeof value === "number" && !Number.isFinite(value)) return false;
    if (value === null || typeof value !== "object") continue;
    if (depth > MAX_DEPTH) return false;
    for (const [key, child] of Object.entries(value)) {
      if (key === "__proto__") return false;
      if (key === "constructor" && child !== null && typeof child === "object" && Object.hasOwn(child, "prototype")) {
        return false;
      }
      stack.push([child, depth + 1]);
    }
  }
  return true;
}

export interface DraftFuzzStats {
  readonly statuses: Record<number, number>;
}

/**
 * Runs the property against `t` for `numRuns` cases from `seed` (fast-check prints the seed and
 * the shrunk case on failure).
 */
export async function checkDraftFuzz(t: TestApp, options: { numRuns: number; seed: number }): Promise<DraftFuzzStats> {
  const botId = (await t.storage.bots.create({ name: "draft fuzz" })).id;
  const url = `/api/v1/bots/${botId}/workflow-versions/draft`;
  const statuses: Record<number, number> = {};
  await fc.assert(
    fc.asyncProperty(draftFuzzCase, async (testCase) => {
      const text = draftBodyText(testCase);
      const overLimit = Buffer.byteLength(text) > BODY_LIMIT;
      const parsed: unknown = overLimit ? undefined : JSON.parse(text);
      const res = await t.app.inject({
        method: "PUT",
        url,
        headers: { ...t.admin, "content-type": "application/json" },
        payload: text,
      });
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      expect(res.statusCode).toBeLessThan(500);
      if (overLimit || !shouldSave(parsed)) {
        expect([400, 413, 422]).toContain(res.statusCode);
        const error = res.json().error as { message: string; details?: { issues?: { path: string }[] } };
        expect(error.message).toMatch(/\bbody\b/);
        for (const issue of error.details?.issues ?? []) expect(issue.path).toMatch(/^body\b/);
        return;
      }
      expect(res.statusCode).toBe(200);
      const read = await t.app.inject({ method: "GET", url, headers: t.admin });
      expect(read.statusCode).toBe(200);
      const body = parsed as { graph: unknown; notes?: string };
      expect(read.json().graph).toEqual(body.graph);
      if (body.notes !== undefined) expect(read.json().notes).toBe(body.notes);
    }),
    { numRuns: options.numRuns, seed: options.seed, endOnFailure: true },
  );
  return { statuses };
}
