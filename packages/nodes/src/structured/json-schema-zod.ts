import { z } from "zod";

/**
 * The JSON Schema subset structured output accepts (what models follow reliably and what can be
 * checked exactly): `type` one of `object` (`properties`, `required`), `array` (`items`),
 * `string` (optional `enum`), `number`, `integer`, `boolean`; `description` anywhere. Objects
 * allow no other keys. Anything else is refused with a message naming its path.
 */
export type RestrictedJsonSchema =
  | {
      readonly type: "object";
      readonly properties: Readonly<Record<string, RestrictedJsonSchema>>;
      readonly required?: readonly string[];
      readonly description?: string;
    }
  | { readonly type: "array"; readonly items: RestrictedJsonSchema; readonly description?: string }
  | { readonly type: "string"; readonly enum?: readonly string[]; readonly description?: string }
  | { readonly type: "number" | "integer" | "boolean"; readonly description?: string };

const description = z.string().max(2_000).optional();

/** Validates a schema of the {@link RestrictedJsonSchema} subset (for node configs). */
export const restrictedJsonSchemaSchema: z.ZodType<RestrictedJsonSchema> = z.lazy(() =>
  z.union([
    z
      .object({
        type: z.literal("object"),
        properties: z.record(z.string().min(1).max(64), restrictedJsonSchemaSchema),
        required: z.array(z.string()).optional(),
        description,
      })
      .strict(),
    z.object({ type: z.literal("array"), items: restrictedJsonSchemaSchema, description }).strict(),
    z.object({ type: z.literal("string"), enum: z.array(z.string()).min(1).optional(), description }).strict(),
    z.object({ type: z.enum(["number", "integer", "boolean"]), description }).strict(),
  ]),
);

/**
 * A zod schema that accepts exactly the values `schema` describes; objects are strict.
 *
 * @example
 * jsonSchemaToZod({ type: "object", properties: { n: { type: "integer" } }, required: ["n"] }).parse({ n: 2 });
 */
export function jsonSchemaToZod(schema: RestrictedJsonSchema): z.ZodType {
  switch (schema.type) {
    case "object": {
      const required = new Set(schema.required ?? []);
      const shape: Record<string, z.ZodType> = {};
      for (const [key, value] of Object.entries(schema.properties)) {
        const inner = jsonSchemaToZod(value);
        shape[key] = required.has(key) ? inner : inner.nullable().optional();
      }
      return z.object(shape).strict();
    }
    case "array":
      return z.array(jsonSchemaToZod(schema.items));
    case "string":
      return schema.enum ? z.enum(schema.enum as [string, ...string[]]) : z.string();
    case "number":
      return z.number();
    case "integer":
      return z.number().int();
    case "boolean":
      return z.boolean();
  }
}
