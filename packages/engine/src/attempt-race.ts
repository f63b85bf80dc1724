import { RunAbortedError } from "./abort-error.ts";
import type { CompiledNode } from "./compiled-workflow.ts";
import { type Deadline, deadlines } from "./deadline-scheduler.ts";

/** What a race aborts when it is stopped: the attempt's context. */
export interface Abortable {
  abort(reason: unknown): void;
}

/**
 * One asynchronous attempt raced against its node's timeout and the run's stop: `promise`
 * settles as the node's own promise does, or rejects with the reason it was stopped for. A
 * plain object with methods rather than closures: an attempt that settles normally (nearly all
 * of them) allocates no function of its own besides the two `then` handlers.
 */
export class AttemptRace<T> {
  readonly promise: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #settled = false;
  readonly #deadline: Deadline | undefined;

  constructor(
    readonly returned: PromiseLike<T>,
    readonly ctx: Abortable,
    readonly node: CompiledNode,
    readonly waiting: Set<AttemptRace<T>>,
  ) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.#deadline =
      node.timeoutMs > 0
        ? deadlines.add(node.timeoutMs, () =>
            this.stop(new RunAbortedError(`node "${node.id}" timed out after ${node.timeoutMs} ms`, "NODE_TIMEOUT")),
          )
        : undefined;
    waiting.add(this);
    returned.then(
      (value) => {
        if (this.#finish()) this.#resolve(value);
      },
      (error: unknown) => {
        if (this.#finish()) this.#reject(error);
      },
    );
  }

  /** Aborts the attempt and rejects with `reason`, unless it has settled already. */
  stop(reason: unknown): void {
    if (!this.#finish()) return;
    this.ctx.abort(reason);
    // A container's body stops with its signal: wait for its rounds to be recorded first.
    if (this.node.body !== undefined) {
      this.returned.then(
        () => this.#reject(reason),
        () => this.#reject(reason),
      );
    } else this.#reject(reason);
  }

  /** Marks the race settled; false when it already was. */
  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    deadlines.remove(this.#deadline);
    this.waiting.delete(this);
    return true;
  }
}
