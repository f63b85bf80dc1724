/**
 * Logs a dependency outage once when it starts and once when it ends, however many requests
 * meet it in between (those are logged at debug).
 * @module
 */
import type { FastifyBaseLogger } from "fastify";

/** Tracks whether one dependency (the database, Redis) is down, for the log. */
export class OutageLog {
  #down = false;

  constructor(
    private readonly log: Pick<FastifyBaseLogger, "warn" | "info" | "debug">,
    /** `"database"`, `"redis"` */
    readonly dependency: string,
    /** What users notice meanwhile, for the warning. */
    private readonly effect: string,
  ) {}

  /** True between `down` and `up`. */
  get isDown(): boolean {
    return this.#down;
  }

  /** A failure reaching the dependency: warns the first time after it was up. */
  down(error: unknown): void {
    if (this.#down) {
      this.log.debug({ err: error, dependency: this.dependency }, `${this.dependency} still unreachable`);
      return;
    }
    this.#down = true;
    this.log.warn({ err: error, dependency: this.dependency }, `${this.dependency} unreachable: ${this.effect}`);
  }

  /** The dependency answered again: logs the recovery if it was down. */
  up(): void {
    if (!this.#down) return;
    this.#down = false;
    this.log.info({ dependency: this.dependency }, `${this.dependency} reachable again`);
  }
}
