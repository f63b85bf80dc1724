import { parseTemplate, type TemplatePlaceholder } from "./parsed-template.ts";
import { formatSelector, type ValueSelector } from "./value-selector.ts";

/** The run's system variables, addressed as `["sys", name]` and `{{sys.name}}`. */
export interface SystemVariables {
  query?: string;
  user_id?: string;
  session_id?: string;
  bot_id?: string;
  run_id?: string;
  files?: unknown[];
  [name: string]: unknown;
}

/** A plain-JSON copy of a pool, for resuming a run. */
export interface VariablePoolSnapshot {
  readonly system: SystemVariables;
  readonly env: Record<string, string>;
  readonly nodes: Record<string, Record<string, unknown>>;
}

export class MissingVariableError extends Error {
  override readonly name = "MissingVariableError";
  constructor(readonly variable: string) {
    super(`variable "${variable}" is not defined`);
  }
}

const MISSING: unique symbol = Symbol("missing");

/** Follows a path of keys and indices into a value; MISSING when any step is absent. */
function walk(value: unknown, path: readonly (string | number)[], from: number): unknown {
  let current = value;
  for (let i = from; i < path.length; i++) {
    if (current === null || typeof current !== "object") return MISSING;
    const key = path[i] as string | number;
    if (!Object.hasOwn(current, key)) return MISSING;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** How a value appears inside a rendered template. */
function stringify(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Every value a run has produced, addressed by selector: node outputs, system variables and
 * environment variables. Node outputs are written once, when the node finishes.
 *
 * @example
 * const pool = new VariablePool({ query: "hi" });
 * pool.setNodeOutputs("retrieve", { documents: [{ content: "x" }] });
 * pool.get(["retrieve", "documents", 0, "content"]); // "x"
 * pool.render("Q: {{sys.query}}", {}); // "Q: hi"
 */
export class VariablePool {
  #system: SystemVariables;
  #env: Record<string, string>;
  /** Conversation variables of the run's session: shared by every scope, written by `assigner`. */
  #conversation: Record<string, unknown> = {};
  #conversationWritten = new Set<string>();
  readonly #nodes = new Map<string, Readonly<Record<string, unknown>>>();
  /** The enclosing scope of a sub-graph round: node outputs not set here are read from it. */
  #parent: VariablePool | undefined;

  constructor(system: SystemVariables = {}, env: Record<string, string> = {}) {
    this.#system = { ...system };
    this.#env = { ...env };
  }

  /**
   * A scope for one round of a container's body: it reads everything this pool holds, and what
   * is written to it stays in it.
   */
  child(): VariablePool {
    const scope = new VariablePool();
    scope.#system = this.#system;
    scope.#env = this.#env;
    scope.#conversation = this.#conversation;
    scope.#conversationWritten = this.#conversationWritten;
    scope.#parent = this;
    return scope;
  }

  #outputsOf(nodeId: string): Readonly<Record<string, unknown>> | undefined {
    const own = this.#nodes.get(nodeId);
    if (own !== undefined || this.#parent === undefined) return own;
    return this.#parent.#outputsOf(nodeId);
  }

  get system(): Readonly<SystemVariables> {
    return this.#system;
  }

  /** The conversation variables as they stand (after this run's writes so far). */
  get conversation(): Readonly<Record<string, unknown>> {
    return this.#conversation;
  }

  /** Sets the conversation variables a run starts with. */
  setConversation(values: Readonly<Record<string, unknown>>): void {
    this.#conversation = { ...values };
  }

  /** One conversation variable write (by `assigner`); later reads in the run see it. */
  writeConversation(name: string, value: unknown): void {
    this.#conversation[name] = value;
    this.#conversationWritten.add(name);
  }

  /** The conversation variables this run wrote, with their values now. */
  get conversationChanges(): Readonly<Record<string, unknown>> {
    return Object.fromEntries([...this.#conversationWritten].map((name) => [name, this.#conversation[name]]));
  }

  setNodeOutputs(nodeId: string, outputs: Readonly<Record<string, unknown>>): void {
    this.#nodes.set(nodeId, outputs);
  }

  hasNode(nodeId: string): boolean {
    return this.#outputsOf(nodeId) !== undefined;
  }

  /** Whether the selector resolves to a value (which may be `null`). */
  has(selector: ValueSelector): boolean {
    return this.#lookup(selector) !== MISSING;
  }

  /** The value at `selector`; throws MissingVariableError naming it when absent. */
  get(selector: ValueSelector): unknown {
    const value = this.#lookup(selector);
    if (value === MISSING) throw new MissingVariableError(formatSelector(selector));
    return value;
  }

  /** The value at `selector`, or `undefined` when absent. */
  tryGet(selector: ValueSelector): unknown {
    const value = this.#lookup(selector);
    return value === MISSING ? undefined : value;
  }

  #lookup(selector: readonly (string | number)[]): unknown {
    const [head, name] = selector;
    if (head === "sys") return walk(this.#system, selector, 1);
    if (head === "env") return walk(this.#env, selector, 1);
    if (head === "conversation") return walk(this.#conversation, selector, 1);
    const outputs = this.#outputsOf(head as string);
    if (outputs === undefined || name === undefined) return MISSING;
    return walk(outputs, selector, 1);
  }

  /**
   * Renders `{{name}}` placeholders. `{{port}}` and `{{port.path}}` read `inputs` (the node's own
   * inputs); `{{sys.x}}` and `{{env.X}}` read the pool. Objects render as JSON. A placeholder with
   * no value throws MissingVariableError naming it — never a silent blank.
   */
  render(template: string, inputs: Readonly<Record<string, unknown>>): string {
    const { literals, placeholders } = parseTemplate(template);
    if (placeholders.length === 0) return template;
    let text = literals[0] as string;
    for (let i = 0; i < placeholders.length; i++) {
      const { expression, path } = placeholders[i] as TemplatePlaceholder;
      const head = path[0];
      let value: unknown;
      if ((head === "sys" || head === "env" || head === "conversation") && !Object.hasOwn(inputs, head)) {
        value = this.#lookup(path);
      } else value = walk(inputs, path, 0);
      if (value === MISSING) throw new MissingVariableError(expression);
      text += stringify(value) + literals[i + 1];
    }
    return text;
  }

  snapshot(): VariablePoolSnapshot {
    return structuredClone({
      system: this.#system,
      env: this.#env,
      nodes: { ...this.#parent?.snapshot().nodes, ...Object.fromEntries(this.#nodes) },
    });
  }

  static restore(snapshot: VariablePoolSnapshot): VariablePool {
    const copy = structuredClone(snapshot);
    const pool = new VariablePool(copy.system, copy.env);
    for (const [nodeId, outputs] of Object.entries(copy.nodes)) pool.setNodeOutputs(nodeId, outputs);
    return pool;
  }
}
