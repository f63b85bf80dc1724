import type { z } from "zod";

/** The slice of zod's internal definition this walk reads (zod 4 `_zod.def`). */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly valueType?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schemas that may apply at `path` below `schema` (several under a union). */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[], depth = 0): z.ZodType[] {
  if (depth > 64) return [];
  const def = defOf(schema);
  const inner = def.innerType ?? (def.type === "pipe" ? def.in : undefined) ?? def.getter?.();
  if (inner) return schemasAt(inner, path, depth + 1);
  if (def.type === "union") return (def.options ?? []).flatMap((o) => schemasAt(o, path, depth + 1));
  if (def.type === "intersection") {
    return [def.left, def.right].flatMap((s) => (s ? schemasAt(s, path, depth + 1) : []));
  }
  if (path.length === 0) return [schema];
  const [key, ...rest] = path;
  if (def.type === "object") {
    const child = def.shape?.[String(key)];
    return child ? schemasAt(child, rest, depth + 1) : [];
  }
  if (def.type === "array" && def.element) return schemasAt(def.element, rest, depth + 1);
  if (def.type === "tuple" && typeof key === "number") {
    const item = def.items?.[key];
    return item ? schemasAt(item, rest, depth + 1) : [];
  }
  if (def.type === "record" && def.valueType) return schemasAt(def.valueType, rest, depth + 1);
  return [];
}

/**
 * The keys an object schema accepts at `path` (inside arrays, unions, defaults and pipes), for a
 * "did you mean" on zod's `unrecognized_keys` issue. Empty when the path leads to no object.
 */
export function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const found of schemasAt(schema, path)) {
    const def = defOf(found);
    if (def.type === "object") for (const key of Object.keys(def.shape ?? {})) keys.add(key);
  }
  return [...keys];
}
