import type { ValueSelector, VariableMapping } from "@portflow/engine";
import type { ImportContext, YamlPath } from "./import-context.ts";

const DIFY_PLACEHOLDER = /\{\{#([^#{}]+?)#\}\}/g;
/** Portflow reads these heads inside templates from the pool, not from the node's inputs. */
const RESERVED = new Set(["sys", "env"]);

function portName(preferred: string): string {
  const cleaned = preferred.replace(/[^A-Za-z0-9_]/g, "_").replace(/^_+|_+$/g, "");
  if (cleaned === "" || RESERVED.has(cleaned)) return `v_${cleaned}`;
  return /^\d/.test(cleaned) ? `v_${cleaned}` : cleaned;
}

/**
 * The input ports of one Portflow node being built: each distinct Dify selector gets one port
 * (named after its variable) and one variable mapping; Dify `{{#node.var#}}` templates become
 * Portflow `{{port}}` templates over those ports.
 */
export class NodeInputs {
  readonly mappings: VariableMapping[] = [];
  readonly notes: string[] = [];
  readonly #bySelector = new Map<string, string>();
  readonly #names = new Set<string>();

  constructor(private readonly ctx: ImportContext) {}

  /** Claims a port name (for fixed ports such as `query`); false when taken. */
  claim(name: string): boolean {
    if (this.#names.has(name)) return false;
    this.#names.add(name);
    return true;
  }

  /** Maps a fixed port from a Dify selector; false when the selector has no counterpart. */
  bind(port: string, selector: readonly string[], path: YamlPath): boolean {
    const mapped = this.ctx.selector(selector, path);
    if (mapped === undefined) return false;
    this.claim(port);
    this.mappings.push({ target_port: port, selector: mapped });
    this.#bySelector.set(JSON.stringify(mapped), port);
    return true;
  }

  /** Maps a fixed port to a constant. */
  constant(port: string, value: unknown): void {
    this.claim(port);
    this.mappings.push({ target_port: port, value });
  }

  /** The port that carries a Dify selector, added on first use; undefined when it has no counterpart. */
  port(selector: readonly string[], path: YamlPath, preferred?: string): string | undefined {
    const mapped = this.ctx.selector(selector, path);
    if (mapped === undefined) return undefined;
    return this.portFor(mapped, preferred ?? String(selector.at(-1) ?? "value"));
  }

  /** The port that carries a Portflow selector, added on first use. */
  portFor(selector: ValueSelector, preferred: string): string {
    const key = JSON.stringify(selector);
    const known = this.#bySelector.get(key);
    if (known !== undefined) return known;
    const base = portName(preferred);
    let name = base;
    for (let n = 2; this.#names.has(name); n++) name = `${base}_${n}`;
    this.#names.add(name);
    this.#bySelector.set(key, name);
    this.mappings.push({ target_port: name, selector });
    return name;
  }

  /**
   * A Dify text with `{{#node.var#}}` placeholders as a Portflow template. `{{#sys.x#}}` and plain
   * `{{#env.X#}}` become `{{sys.x}}` / `{{env.X}}`; `{{#context#}}` becomes `{{context}}` (the
   * caller binds `context`); everything else reads a mapped port.
   */
  template(text: string, path: YamlPath, options: { readonly secrets?: boolean } = {}): string {
    // Dify leaves `{{name}}` without `#` as text; Portflow would read it as a placeholder.
    let literal = false;
    const escaped = text.replace(/\{\{(?!#)/g, () => {
      literal = true;
      return "{ {";
    });
    if (literal)
      this.notes.push(
        "literal {{…}} text (not a Dify variable) was written as { {…} } so Portflow does not read it as a placeholder",
      );
    return escaped.replace(DIFY_PLACEHOLDER, (whole, inner: string) => {
      if (inner === "context") return "{{context}}";
      const selector = inner.split(".");
      const mapped = this.ctx.selector(selector, path);
      if (mapped === undefined) return whole.replace("{{", "{ {");
      const [head, name] = mapped;
      if ((head === "sys" || head === "env") && mapped.length === 2) return `{{${head}.${name}}}`;
      // the http-request node renders `{{secret.NAME}}` itself, masked in every record
      if (head === "secret" && options.secrets === true && mapped.length === 2) return `{{secret.${name}}}`;
      return `{{${this.portFor(mapped, String(selector.at(-1)))}}}`;
    });
  }
}
