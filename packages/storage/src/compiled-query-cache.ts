import type { Compilable, CompiledQuery } from "kysely";

/** Stands for argument `index` while a shape's query is built. */
class Placeholder {
  constructor(readonly index: number) {}

  /** What a placeholder wrongly put into SQL text (`sql.raw`, `sql.lit`) looks like there. */
  toString(): string {
    return PLACEHOLDER_TEXT;
  }
}
const PLACEHOLDER_TEXT = "\u0000portflow-placeholder";

interface Template {
  readonly query: CompiledQuery<unknown>;
  /** Per parameter of the compiled query: the argument it takes, or a value the shape fixed. */
  readonly slots: readonly (number | { readonly fixed: unknown })[];
}

/**
 * Statements of a few fixed shapes, built and compiled by kysely once per shape; later calls
 * reuse the compiled SQL with their own values. Building and compiling is most of kysely's cost
 * on a hot path (the recorder's write, the key check and the run submit: ~100 µs of a chat's
 * server CPU), and reusing one SQL string lets the prepared-statement lookup use its cached hash.
 *
 * `build` receives placeholders standing for `args` (same positions): it must pass each one to
 * kysely as a value (a parameter), never into raw SQL text, and the statement's shape must not
 * depend on the values — `shape` names everything it depends on (e.g. how many rows). An
 * argument that is `undefined` is sent as NULL; one the shape does not use is not sent.
 *
 * @example
 * const q = cache.compile("verify", [hash], ([h]) => db.selectFrom("api_keys").selectAll().where("key_hash", "=", h as string));
 * const { rows } = await db.executeQuery(q);
 */
export class CompiledQueryCache {
  readonly #templates = new Map<string, Template>();

  /** `maxShapes`: past it, new shapes are compiled on every call (a bound, not an eviction policy). */
  constructor(private readonly maxShapes = 512) {}

  compile<R>(
    shape: string,
    args: readonly unknown[],
    build: (placeholders: readonly unknown[]) => Compilable<R>,
  ): CompiledQuery<R> {
    let template = this.#templates.get(shape);
    if (template === undefined) {
      template = compileTemplate(
        shape,
        args.length,
        build as (placeholders: readonly unknown[]) => Compilable<unknown>,
      );
      if (this.#templates.size < this.maxShapes) this.#templates.set(shape, template);
    }
    const parameters = template.slots.map((slot) => (typeof slot === "number" ? (args[slot] ?? null) : slot.fixed));
    return { ...template.query, parameters } as CompiledQuery<R>;
  }
}

function compileTemplate(
  shape: string,
  count: number,
  build: (placeholders: readonly unknown[]) => Compilable<unknown>,
): Template {
  const placeholders = Array.from({ length: count }, (_, i) => new Placeholder(i));
  const query = build(placeholders).compile();
  // An argument in the text would be the first call's value for every later call.
  if (query.sql.includes(PLACEHOLDER_TEXT)) throw new Error(`query shape "${shape}": an argument is in the SQL text`);
  const slots = query.parameters.map((parameter) =>
    parameter instanceof Placeholder ? parameter.index : { fixed: parameter },
  );
  return { query, slots };
}
