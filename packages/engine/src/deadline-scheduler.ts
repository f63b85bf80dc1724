/** A pending deadline; `fire` runs once if it is still registered when its time comes. */
export interface Deadline {
  readonly at: number;
  readonly fire: () => void;
}

/**
 * Many deadlines on one unref'd timer. Node timeouts default to minutes and almost never fire,
 * so arming a timer per node attempt would be the executor's largest cost; here adding a
 * deadline later than the armed one costs a Set insert.
 */
export class DeadlineScheduler {
  readonly #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedAt = Number.POSITIVE_INFINITY;

  add(ms: number, fire: () => void): Deadline {
    const deadline: Deadline = { at: performance.now() + ms, fire };
    this.#pending.add(deadline);
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
    return deadline;
  }

  remove(deadline: Deadline | undefined): void {
    if (deadline) this.#pending.delete(deadline);
  }

  #arm(at: number): void {
    clearTimeout(this.#timer);
    this.#armedAt = at;
    this.#timer = setTimeout(this.#tick, Math.max(0, at - performance.now()));
    this.#timer.unref?.();
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    for (const deadline of this.#pending) {
      if (deadline.at <= now + 1) {
        this.#pending.delete(deadline);
        deadline.fire();
      } else if (deadline.at < next) {
        next = deadline.at;
      }
    }
    if (next < Number.POSITIVE_INFINITY) this.#arm(next);
  };
}

/** Shared by every executor in the process. */
export const deadlines = new DeadlineScheduler();
