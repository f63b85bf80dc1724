import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { importDifyDsl } from "../src/index.ts";
import { FIXTURES, fixture } from "./fixtures.ts";

/** Import must answer with problems, never throw, and never hit its last-resort catch. */
function expectAnswer(text: string): void {
  let result: ReturnType<typeof importDifyDsl> | undefined;
  expect(() => {
    result = importDifyDsl(text);
  }).not.toThrow();
  expect(result?.problems.filter((p) => p.code === "internal_error")).toEqual([]);
  expect(Array.isArray(result?.report.items)).toBe(true);
}

const yamlish = fc.oneof(
  fc.string(),
  fc
    .array(
      fc.constantFrom(
        "kind: app\n",
        "app:\n",
        "  mode: workflow\n",
        "  mode: advanced-chat\n",
        "workflow:\n",
        "  graph:\n",
        "    nodes:\n",
        "    - id: 1\n",
        "      data: {type: llm}\n",
        "      data: {type: if-else, cases: [{}]}\n",
        "    edges: [{source: 1}]\n",
        "  - [",
        "&a x\n",
        "*a\n",
        ": :\n",
        "\t",
        "{{#x.y#}}",
      ),
    )
    .map((parts) => parts.join("")),
  fc.jsonValue().map((v) => stringify(v)),
);

/** Values that replace a part of a real file: wrong types, empty things, odd strings. */
const junk = fc.oneof(
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.jsonValue(),
);

/** Every path to a value inside a parsed document. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  } else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function replaceAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

describe("importDifyDsl never throws", () => {
  it("for random YAML-ish text", () => {
    fc.assert(
      fc.property(yamlish, (text) => expectAnswer(text)),
      { numRuns: 200 },
    );
  });

  it.each(FIXTURES)("for random mutations of %s", (name) => {
    const doc = parse(fixture(name)) as unknown;
    const all = paths(doc);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(all.length - 1), fc.option(junk, { nil: undefined })), { minLength: 1, maxLength: 4 }),
        (edits) => {
          let mutated = doc;
          for (const [index, value] of edits) {
            try {
              mutated = replaceAt(mutated, all[index] as (string | number)[], value);
            } catch {
              // an earlier edit removed this path's parent: skip it
            }
          }
          expectAnswer(stringify(mutated));
        },
      ),
      { numRuns: 80 },
    );
  });
});
