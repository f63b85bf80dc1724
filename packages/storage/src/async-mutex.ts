/** A FIFO lock: one holder at a time, waiters served in arrival order. */
export class AsyncMutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with the function that releases the lock once it is this caller's turn. */
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const turn = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return turn;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
