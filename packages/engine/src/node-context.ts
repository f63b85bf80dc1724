import type { ConversationAccess, NodeContext } from "./base-node.ts";
import type { BodyRunner } from "./body-runner.ts";
import type { ServiceContainer, ServiceResolver } from "./service-container.ts";
import type { Logger } from "./services.ts";
import type { SystemVariables, VariablePool } from "./variable-pool.ts";

/** The hooks a running attempt gives its context. */
export interface AttemptHost {
  readonly runSignal: AbortSignal;
  emitChunk(nodeId: string, chunk: string): void;
}

/**
 * One attempt's context. The AbortController is made only when a node reads `signal`, so nodes
 * that finish synchronously pay nothing for cancellation plumbing.
 */
export class AttemptContext<Config> implements NodeContext<Config> {
  #controller: AbortController | undefined;
  #services: ServiceResolver | undefined;
  #abortReason: unknown;
  #emit: ((chunk: string) => void) | undefined;
  /** Set for container nodes: runs their body. */
  body: BodyRunner | undefined;

  constructor(
    readonly runId: string,
    readonly nodeId: string,
    readonly config: Config,
    readonly attempt: number,
    readonly logger: Logger,
    private readonly host: AttemptHost,
    private readonly container: ServiceContainer,
    private readonly pool: VariablePool,
  ) {}

  get services(): ServiceResolver {
    this.#services ??= this.container.forRequester(this.nodeId);
    return this.#services;
  }

  get system(): Readonly<SystemVariables> {
    return this.pool.system;
  }

  get conversation(): ConversationAccess {
    const pool = this.pool;
    return { get: (name) => pool.conversation[name], set: (name, value) => pool.writeConversation(name, value) };
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
      else if (this.host.runSignal.aborted) this.#controller.abort(this.host.runSignal.reason);
    }
    return this.#controller.signal;
  }

  /** Called by the executor on timeout or run abort. */
  abort(reason: unknown): void {
    this.#abortReason = reason;
    this.#controller?.abort(reason);
  }

  /** Bound on first read: a node may hand `ctx.emit` on as a callback. */
  get emit(): (chunk: string) => void {
    this.#emit ??= this.#emitChunk.bind(this);
    return this.#emit;
  }

  #emitChunk(chunk: string): void {
    if (this.#abortReason === undefined) this.host.emitChunk(this.nodeId, chunk);
  }

  render(template: string, inputs: Readonly<Record<string, unknown>>): string {
    return this.pool.render(template, inputs);
  }
}
