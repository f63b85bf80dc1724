import { describe, expect, it } from "vitest";
import { jsonSchemaToZod, restrictedJsonSchemaSchema } from "./json-schema-zod.ts";

describe("jsonSchemaToZod", () => {
  const schema = restrictedJsonSchemaSchema.parse({
    type: "object",
    properties: {
      id: { type: "string", enum: ["a", "b"] },
      n: { type: "integer" },
      tags: { type: "array", items: { type: "string" } },
      ok: { type: "boolean" },
    },
    required: ["id", "n"],
  });
  const zod = jsonSchemaToZod(schema);

  it("accepts what the schema describes, with optional properties null or absent", () => {
    expect(zod.safeParse({ id: "a", n: 2, tags: ["x"], ok: null }).success).toBe(true);
    expect(zod.safeParse({ id: "b", n: 0 }).success).toBe(true);
  });

  it("refuses enums outside the list, non-integers, missing required keys and extra keys", () => {
    expect(zod.safeParse({ id: "c", n: 1 }).success).toBe(false);
    expect(zod.safeParse({ id: "a", n: 1.5 }).success).toBe(false);
    expect(zod.safeParse({ n: 1 }).success).toBe(false);
    expect(zod.safeParse({ id: "a", n: 1, extra: true }).success).toBe(false);
  });

  it("refuses schemas outside the subset", () => {
    expect(restrictedJsonSchemaSchema.safeParse({ type: "null" }).success).toBe(false);
    expect(restrictedJsonSchemaSchema.safeParse({ type: "string", pattern: ".*" }).success).toBe(false);
  });
});
