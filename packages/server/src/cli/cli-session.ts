/**
 * One invocation of the CLI: its environment and output streams, the configuration (read from the
 * environment once, on first use) and the database context (opened once, on first use, closed at
 * the end). Commands that need neither, like `workflow validate`, start no database.
 * @module
 */
import type { Storage } from "@portflow/storage";
import type { ServerConfig } from "../config.ts";
import type { CliContext } from "./cli-context.ts";
import { type DataDirLock, isDiskDataDir, lockDataDir } from "./data-dir-lock.ts";
import { snakeCaseKeys } from "./snake-case-keys.ts";

/** Where a command writes: results to stdout, progress and diagnostics to stderr. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Where `secrets set` reads a value (never from argv); absent: no input. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

export interface CliSessionOptions {
  /** The command runs briefly (not `serve`, `worker`, `ingest`…): the database is opened for that. */
  readonly shortLived?: boolean;
}

export class CliSession {
  #config: ServerConfig | undefined;
  #context: Promise<CliContext> | undefined;
  #storage: Promise<Storage> | undefined;
  #lock: DataDirLock | undefined;

  constructor(
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly io: CliIo,
    /** Reads the configuration from the environment (`loadConfig`); absent when no command runs. */
    readonly readConfig?: (env: Readonly<Record<string, string | undefined>>) => ServerConfig,
    readonly options: CliSessionOptions = {},
  ) {}

  /** The server configuration (throws ConfigError naming every bad variable). */
  get config(): ServerConfig {
    if (this.readConfig === undefined) throw new Error("CliSession: no configuration reader was given");
    this.#config ??= this.readConfig(this.env);
    return this.#config;
  }

  /** Storage, registry, providers and runner over the configured database. */
  context(): Promise<CliContext> {
    if (this.#storage !== undefined)
      return Promise.reject(new Error("CliSession: storage() is open: a command uses one of the two"));
    this.#context ??= this.#locked(async () => {
      const { openCliContext } = await import("./cli-context.ts");
      return openCliContext(this.config, { shortLived: this.options.shortLived === true });
    });
    return this.#context;
  }

  /**
   * The configured database alone, for commands that only read and write rows, none of them a
   * vector: it starts without loading the node types and providers (the context's storage when
   * the context is open).
   */
  storage(): Promise<Storage> {
    if (this.#context !== undefined) return this.#context.then((context) => context.storage);
    // The same opening as the context's (openConfiguredStorage), without the node types' validator
    // and, as these commands neither search nor store chunks, without pgvector on embedded PGlite.
    this.#storage ??= this.#locked(async () => {
      const { openConfiguredStorage } = await import("../open-configured-storage.ts");
      return openConfiguredStorage(this.config, {
        maxConnections: 4,
        shortLived: this.options.shortLived === true,
        usesVectors: false,
      });
    });
    return this.#storage;
  }

  /**
   * Opens with the embedded data directory's lock held (PGlite has none of its own), until
   * {@link close}; a failed open releases it.
   */
  async #locked<T>(open: () => Promise<T>): Promise<T> {
    const { databaseUrl, dataDir } = this.config;
    if (databaseUrl === undefined && isDiskDataDir(dataDir)) this.#lock ??= lockDataDir(dataDir);
    try {
      return await open();
    } catch (error) {
      this.#releaseLock();
      throw error;
    }
  }

  #releaseLock(): void {
    this.#lock?.release();
    this.#lock = undefined;
  }

  /** Writes lines to stdout. */
  out(...lines: string[]): void {
    for (const line of lines) this.io.stdout.write(`${line}\n`);
  }

  /** Writes lines to stderr. */
  err(...lines: string[]): void {
    for (const line of lines) this.io.stderr.write(`${line}\n`);
  }

  /** Writes a value as indented JSON to stdout, its keys in snake_case as in the HTTP API. */
  json(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(snakeCaseKeys(value), null, 2)}\n`);
  }

  /** Closes the database context or storage if one was opened, then releases the data directory. */
  async close(): Promise<void> {
    const opening = this.#context ?? this.#storage;
    this.#context = undefined;
    this.#storage = undefined;
    if (opening === undefined) return;
    try {
      const opened = await (opening as Promise<{ close(): Promise<void> }>).catch(() => undefined);
      await opened?.close();
    } finally {
      this.#releaseLock();
    }
  }
}
