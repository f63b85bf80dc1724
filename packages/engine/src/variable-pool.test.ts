import { describe, expect, it } from "vitest";
import { MissingVariableError, VariablePool } from "./variable-pool.ts";

describe("VariablePool", () => {
  const pool = new VariablePool({ query: "what is up", bot_id: "b1" }, { REGION: "eu" });
  pool.setNodeOutputs("retrieve", { documents: [{ content: "alpha", metadata: { page: 3 } }], count: 1 });

  it("reads node outputs with paths into arrays and objects", () => {
    expect(pool.get(["retrieve", "documents", 0, "metadata", "page"])).toBe(3);
    expect(pool.get(["sys", "bot_id"])).toBe("b1");
    expect(pool.get(["env", "REGION"])).toBe("eu");
    expect(pool.tryGet(["retrieve", "documents", 5])).toBeUndefined();
    expect(() => pool.get(["retrieve", "nope"])).toThrow('variable "retrieve.nope" is not defined');
  });

  it("renders templates from inputs, sys and env, and names a missing variable", () => {
    const inputs = { query: "q1", doc: { title: "T" }, n: 2 };
    expect(pool.render("{{query}} {{ doc.title }} {{n}} {{sys.query}} {{env.REGION}}", inputs)).toBe(
      "q1 T 2 what is up eu",
    );
    expect(pool.render("{{doc}}", inputs)).toBe('{"title":"T"}');
    expect(() => pool.render("Hello {{name}}", inputs)).toThrow(MissingVariableError);
    expect(() => pool.render("{{sys.nothing}}", inputs)).toThrow('variable "sys.nothing" is not defined');
  });

  it("renders one template text again with each call's own values, placeholders at either end and side by side", () => {
    const template = "{{a}}{{ b.0 }}-{{a}}";
    expect(pool.render(template, { a: "x", b: ["y"] })).toBe("xy-x");
    expect(pool.render(template, { a: 1, b: [{ k: 2 }] })).toBe('1{"k":2}-1');
    expect(pool.render("no placeholders, {single} braces", {})).toBe("no placeholders, {single} braces");
    expect(() => pool.render(template, { a: "x" })).toThrow('variable "b.0" is not defined');
  });

  it("round-trips through snapshot/restore as plain JSON", () => {
    const snapshot = JSON.parse(JSON.stringify(pool.snapshot()));
    const restored = VariablePool.restore(snapshot);
    expect(restored.get(["retrieve", "documents", 0, "content"])).toBe("alpha");
    expect(restored.system.query).toBe("what is up");
    restored.setNodeOutputs("retrieve", { count: 9 });
    expect(pool.get(["retrieve", "count"])).toBe(1);
  });
});
