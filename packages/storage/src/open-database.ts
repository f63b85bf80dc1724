import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import { btree_gin } from "@electric-sql/pglite/contrib/btree_gin";
import { vector } from "@electric-sql/pglite-pgvector";
import { Mutex } from "async-mutex";
import { Kysely, PostgresDialect, sql } from "kysely";
import pgvector from "pgvector";
import type { Database } from "./database-schema.ts";
import { migrateToLatest } from "./migrate.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import { preparingPool } from "./preparing-pool.ts";
import type { RawSession } from "./raw-session.ts";
import { PgvectorMissingError } from "./storage-error.ts";

/** Titan v2's default output size. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 1024;
export const DEFAULT_DATA_DIR = "./.portflow";
/** Default {@link OpenDatabaseOptions.connectTimeoutMs}. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

export interface OpenDatabaseOptions {
  /** A PostgreSQL URL (`DATABASE_URL`). Absent: embedded PGlite under `dataDir`. */
  readonly databaseUrl?: string;
  /** PGlite data directory (`PORTFLOW_DATA_DIR`), default `./.portflow`; `memory://` keeps it in memory. */
  readonly dataDir?: string;
  /** Size of `vector(D)`, fixed when the schema is created. Default 1024 (Titan v2). */
  readonly embeddingDimensions?: number;
  /** Run migrations on open (default true). */
  readonly migrate?: boolean;
  /** Pool size on a real server (default 10). */
  readonly maxConnections?: number;
  /**
   * On a real server: how long getting a connection may take (connecting, or waiting for a free
   * one in the pool) before the call fails as database unavailable (default 5,000 ms).
   */
  readonly connectTimeoutMs?: number;
  /**
   * On a real server: send repeated parameterised statements as named prepared statements, parsed
   * (and, when PostgreSQL's generic plan is as good, planned) once per connection (default true;
   * see `preparingPool`). Off for poolers that cannot carry them (PgBouncer transaction mode < 1.21).
   */
  readonly preparedStatements?: boolean;
  /** Called with connection errors the pool absorbed (server restart, lost socket); default: ignored. */
  readonly onConnectionError?: (error: Error) => void;
  /** Called each time the pool opens a connection (after an outage: the database is back). */
  readonly onConnected?: () => void;
  /**
   * Embedded PGlite only: PostgreSQL settings for this process (`-c name=value` at start), e.g. a
   * small `shared_buffers` for a command that reads a few rows and exits.
   */
  readonly pgliteSettings?: Readonly<Record<string, string>>;
  /**
   * Embedded PGlite only: load the pgvector extension at start (default true). A process that
   * never reads or writes a vector (one that lists bots) starts faster without it; a statement
   * that needs it then fails with a StorageError saying so. Migrating needs it, so it is loaded
   * anyway for a new database or a schema that is not up to date.
   */
  readonly pgliteVectorExtension?: boolean;
}

/** An open database: a Kysely instance plus what the repositories need beside it. */
export interface StorageDatabase {
  readonly db: Kysely<Database>;
  readonly dialect: "pglite" | "postgres";
  readonly embeddingDimensions: number;
  /** Runs `fn` in a transaction on a session outside Kysely (binary COPY and the like). */
  withRawTransaction<T>(fn: (session: RawSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens the database and brings its schema up to date.
 *
 * @example
 * const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.PORTFLOW_DATA_DIR });
 * const storage = createStorage(database, { validate });
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<StorageDatabase> {
  const embeddingDimensions = options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (!Number.isInteger(embeddingDimensions) || embeddingDimensions < 1 || embeddingDimensions > 16_000) {
    throw new RangeError(`embeddingDimensions must be an integer in 1..16000, got ${embeddingDimensions}`);
  }
  const { database, registerVector } = options.databaseUrl
    ? await openPostgres(options.databaseUrl, embeddingDimensions, {
        max: options.maxConnections ?? 10,
        connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        onError: options.onConnectionError ?? (() => {}),
        onConnected: options.onConnected ?? (() => {}),
        preparedStatements: options.preparedStatements !== false,
      })
    : await openPGlite(options.dataDir ?? DEFAULT_DATA_DIR, embeddingDimensions, {
        settings: options.pgliteSettings ?? {},
        vector: options.pgliteVectorExtension !== false,
      });
  try {
    if (options.migrate !== false) await migrateToLatest(database.db as Kysely<unknown>, { embeddingDimensions });
  } catch (error) {
    await database.close();
    // Started without pgvector, but the schema must be created or migrated: that needs it.
    const withoutVector = !options.databaseUrl && options.pgliteVectorExtension === false;
    if (withoutVector && error instanceof PgvectorMissingError) {
      return openDatabase({ ...options, pgliteVectorExtension: true });
    }
    throw error;
  }
  try {
    // pgvector registration: `vector` values read back as number[], a Buffer parameter goes in
    // pgvector's binary form (the type exists once migrated).
    const { rows } = await sql<{ oid: number }>`SELECT oid::int AS oid FROM pg_type WHERE typname = 'vector'`.execute(
      database.db,
    );
    if (rows[0]) registerVector(rows[0].oid, (text) => pgvector.fromSql(text) as number[]);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

type VectorRegistration = (oid: number, parse: (text: string) => number[]) => void;

interface OpenedDatabase {
  readonly database: StorageDatabase;
  readonly registerVector: VectorRegistration;
}

interface PGliteStart {
  /** `-c name=value` settings. */
  readonly settings: Readonly<Record<string, string>>;
  /** Load pgvector. */
  readonly vector: boolean;
}

async function openPGlite(dataDir: string, embeddingDimensions: number, start: PGliteStart): Promise<OpenedDatabase> {
  const inMemory = dataDir === "memory://" || dataDir.startsWith("memory://");
  // A new database is about to be created and migrated, which needs pgvector: load it now, not on a second start.
  const loadVector = start.vector || inMemory || !existsSync(join(dataDir, "PG_VERSION"));
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const startSettings = Object.entries(start.settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  const pglite = await PGlite.create({
    dataDir: inMemory ? undefined : dataDir,
    // btree_gin always: the keyword index (bot_id, keywords) needs it for any write to chunks.
    extensions: loadVector ? { vector, btree_gin } : { btree_gin },
    ...(startSettings.length > 0 && { startParams: [...PGlite.defaultStartParams, ...startSettings] }),
  });
  const mutex = new Mutex(); // FIFO: one statement or transaction at a time
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite, mutex) });
  let closed = false;
  const session: RawSession = {
    async query<R>(text: string, params: readonly unknown[] = []) {
      return (await pglite.query<R>(text, [...params])).rows;
    },
    async copyFromBinary(table, columns, data) {
      // The blob option is mandatory: without it PGlite aborts the whole process.
      const blob = new Blob([data as Uint8Array<ArrayBuffer>]);
      await pglite.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' WITH (FORMAT binary)`, [], { blob });
    },
  };
  const database: StorageDatabase = {
    db,
    dialect: "pglite",
    embeddingDimensions,
    withRawTransaction: (fn) =>
      mutex.runExclusive(async () => {
        await pglite.query("begin");
        try {
          const result = await fn(session);
          await pglite.query("commit");
          return result;
        } catch (error) {
          await pglite.query("rollback");
          throw error;
        }
      }),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await pglite.close();
    },
  };
  return {
    database,
    registerVector: (oid, parse) => {
      pglite.parsers[oid] = parse;
      // PGlite sends what a type's serializer returns: a Buffer in binary (vector_recv), a string as text
      pglite.serializers[oid] = ((value: unknown) => value) as (typeof pglite.serializers)[number];
    },
  };
}

interface PoolSettings {
  readonly max: number;
  readonly connectionTimeoutMillis: number;
  readonly onError: (error: Error) => void;
  readonly onConnected: () => void;
  readonly preparedStatements: boolean;
}

async function openPostgres(url: string, embeddingDimensions: number, settings: PoolSettings): Promise<OpenedDatabase> {
  // Loaded here, not at the top: a process on the embedded database never needs the pg driver.
  const [{ default: pg }, { from: copyFrom }] = await Promise.all([import("pg"), import("pg-copy-streams")]);
  // Read by every client of the pool at parse time, so a parser set after connecting applies.
  const types = new pg.TypeOverrides();
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutMillis,
    types,
  });
  // An idle client that errors (server restart) must not crash the process.
  pool.on("error", settings.onError);
  // Nor may a checked-out one: the pool listens only while a client is idle, and a server
  // shutdown (57P01) between two queries of a checked-out client is emitted on the client. Its
  // queries fail on their own and the pool drops the broken client when it is released.
  pool.on("connect", (client) => {
    client.on("error", settings.onError);
    settings.onConnected();
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: settings.preparedStatements ? preparingPool(pool) : pool }),
  });
  let closed = false;
  const database: StorageDatabase = {
    db,
    dialect: "postgres",
    embeddingDimensions,
    async withRawTransaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("begin");
        const session: RawSession = {
          async query<R>(text: string, params: readonly unknown[] = []) {
            return (await client.query(text, [...params])).rows as R[];
          },
          async copyFromBinary(table, columns, data) {
            const stream = client.query(
              copyFrom(`COPY ${table} (${columns.join(", ")}) FROM STDIN WITH (FORMAT binary)`),
            );
            await pipeline(Readable.from([Buffer.from(data.buffer, data.byteOffset, data.byteLength)]), stream);
          },
        };
        const result = await fn(session);
        await client.query("commit");
        return result;
      } catch (error) {
        try {
          await client.query("rollback");
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // ends the pool
    },
  };
  return { database, registerVector: (oid, parse) => types.setTypeParser(oid, "text", parse) };
}
