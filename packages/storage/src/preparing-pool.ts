import { createHash } from "node:crypto";
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";

/** Named statements kept per connection; statements past it run unnamed (parsed and planned each time). */
const MAX_NAMED_PER_CONNECTION = 256;
/** Longer statements (multi-row inserts of many rows) vary too much to be worth a name. */
const MAX_NAMED_TEXT_LENGTH = 8_192;

/**
 * `pg` errors after which a named statement cannot be reused on its connection: its cached plan
 * no longer fits the table (a migration changed a `SELECT *`'s columns), the server lost it, or
 * its generic plan cannot infer an `ON CONFLICT` target's partial index from a parameter (42P10).
 */
function statementUnusable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "0A000" || code === "26000" || code === "42P10";
}

/** Per connection: the texts it has prepared (with their names), and those that must run unnamed from now on. */
interface Prepared {
  readonly named: Map<string, string>;
  readonly unnamed: Set<string>;
}

/**
 * A `pg` pool for Kysely whose connections send each parameterised statement as a named
 * prepared statement (name from the text's SHA-1): PostgreSQL parses it once per connection and,
 * after five executions, plans it once when its generic plan is no costlier than the custom
 * ones. A chat's statements were a quarter of its database CPU in planning alone (the keyword
 * search planned in twice the time it ran). A statement whose plan a migration invalidated
 * (`cached plan must not change result type`) runs unnamed on that connection from then on.
 * Raw sessions (`COPY`, `withRawTransaction`) use the `pg` pool directly and are unaffected.
 * Off (`PORTFLOW_PG_PREPARED_STATEMENTS=false`) for poolers that cannot carry named statements
 * across their connections (PgBouncer in transaction mode before 1.21).
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  // one wrapper per connection, made when the pool first hands it out
  const perConnection = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let wrapped = perConnection.get(client);
      if (wrapped === undefined) {
        wrapped = preparingClient(client, { named: new Map(), unnamed: new Set() });
        perConnection.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}

function preparingClient(client: pg.PoolClient, prepared: Prepared): PostgresPoolClient {
  function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  function query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters?: ReadonlyArray<unknown>,
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== "string") return client.query(sqlOrCursor as never) as PostgresCursor<R>;
    const values = [...(parameters ?? [])];
    const unnamed = () => client.query(sqlOrCursor, values) as unknown as Promise<PostgresQueryResult<R>>;
    if (!nameable(sqlOrCursor, values, prepared)) return unnamed();
    // hashed once per text and connection, not on every execution
    let name = prepared.named.get(sqlOrCursor);
    if (name === undefined) {
      name = `pf_${createHash("sha1").update(sqlOrCursor).digest("base64url")}`;
      prepared.named.set(sqlOrCursor, name);
    }
    return (client.query({ name, text: sqlOrCursor, values }) as unknown as Promise<PostgresQueryResult<R>>).catch(
      (error: unknown) => {
        if (!statementUnusable(error)) throw error;
        prepared.unnamed.add(sqlOrCursor);
        return unnamed();
      },
    );
  }
  return { query, release: (destroy?: boolean) => client.release(destroy) };
}

function nameable(text: string, values: readonly unknown[], prepared: Prepared): boolean {
  if (values.length === 0 || text.length > MAX_NAMED_TEXT_LENGTH || prepared.unnamed.has(text)) return false;
  return prepared.named.has(text) || prepared.named.size < MAX_NAMED_PER_CONNECTION;
}
