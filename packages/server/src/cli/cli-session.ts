/**
 * One invocation of the CLI: its environment and output streams, the configuration (read from the
 * environment once, on first use) and the database context (opened once, on first use, closed at
 * the end). Commands that need neither, like `workflow validate`, start no database.
 * @module
 */
import type { Storage } from "@portflow/storage";
import type { ServerConfig } from "../config.ts";
import type { CliContext } from "./cli-context.ts";
import { snakeCaseKeys } from "./snake-case-keys.ts";

/** Where a command writes: results to stdout, progress and diagnostics to stderr. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Where `secrets set` reads a value (never from argv); absent: no input. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}

export class CliSession {
  #config: ServerConfig | undefined;
  #context: Promise<CliContext> | undefined;
  #storage: Promise<Storage> | undefined;

  constructor(
    readonly env: Readonly<Record<string, string | undefined>>,
    readonly io: CliIo,
    /** Reads the configuration from the environment (`loadConfig`); absent when no command runs. */
    readonly readConfig?: (env: Readonly<Record<string, string | undefined>>) => ServerConfig,
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
    this.#context ??= import("./cli-context.ts").then(({ openCliContext }) => openCliContext(this.config));
    return this.#context;
  }

  /**
   * The configured database alone, for commands that only read and write rows: it starts without
   * loading the node types and providers (the context's storage when the context is open).
   */
  storage(): Promise<Storage> {
    if (this.#context !== undefined) return this.#context.then((context) => context.storage);
    this.#storage ??= import("./cli-storage.ts").then(({ openCliStorage }) => openCliStorage(this.config));
    return this.#storage;
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

  /** Closes the database context or storage if one was opened. */
  async close(): Promise<void> {
    const opening = this.#context ?? this.#storage;
    this.#context = undefined;
    this.#storage = undefined;
    if (opening === undefined) return;
    const opened = await (opening as Promise<{ close(): Promise<void> }>).catch(() => undefined);
    await opened?.close();
  }
}
