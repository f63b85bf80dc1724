import type { PGlite } from "@electric-sql/pglite";
import { Mutex } from "async-mutex";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { StorageError } from "./storage-error.ts";

/**
 * A Kysely dialect over an in-process PGlite. PGlite is one backend session, so the driver
 * hands out one connection at a time: a Kysely transaction holds it from BEGIN to COMMIT and
 * every other query waits its turn.
 */
export class PGliteDialect implements Dialect {
  readonly #driver: PGliteDriver;

  /**
   * Extra type parsers go into `pglite.parsers` itself: passed per query, PGlite copies its
   * ~300 parsers into a new object on every call (~95 µs a statement, measured).
   *
   * @param mutex shared with code that uses `pglite` directly, so it waits its turn too.
   */
  constructor(pglite: PGlite, mutex: Mutex = new Mutex()) {
    this.#driver = new PGliteDriver(pglite, mutex);
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return this.#driver;
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(readonly pglite: PGlite) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite
      .query<R>(compiledQuery.sql, [...compiledQuery.parameters])
      .catch((error: unknown) => {
        throw explainMissingVector(error);
      });
    const command = result.command?.toUpperCase();
    const changes =
      command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE"
        ? BigInt(result.affectedRows ?? 0)
        : undefined;
    return changes === undefined ? { rows: result.rows } : { rows: result.rows, numAffectedRows: changes };
  }

  // biome-ignore lint/correctness/useYield: streaming is not supported, by design
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("PGlite dialect does not support streaming queries");
  }
}

/** PostgreSQL's error for a vector value on a PGlite started without pgvector: say what to do. */
function explainMissingVector(error: unknown): unknown {
  if (!(error instanceof Error) || !/could not access file "(\$libdir\/)?vector"/.test(error.message)) return error;
  return new StorageError(
    "this embedded database was opened without the pgvector extension (pgliteVectorExtension: false), " +
      "and the statement reads or writes a vector: open it with the extension",
    { cause: error },
  );
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  readonly #mutex: Mutex;
  readonly #releases = new Map<DatabaseConnection, () => void>();

  constructor(pglite: PGlite, mutex: Mutex) {
    this.#connection = new PGliteConnection(pglite);
    this.#mutex = mutex;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.#mutex.acquire();
    this.#releases.set(this.#connection, release);
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    let begin = "begin";
    if (settings.isolationLevel || settings.accessMode) {
      begin = "start transaction";
      if (settings.isolationLevel) begin += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) begin += ` ${settings.accessMode}`;
    }
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const release = this.#releases.get(connection);
    this.#releases.delete(connection);
    release?.();
  }

  async destroy(): Promise<void> {}
}
