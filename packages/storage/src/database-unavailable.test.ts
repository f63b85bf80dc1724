import { createServer } from "node:net";
import { sql } from "kysely";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { DatabaseUnavailableError, isDatabaseUnavailable, rethrowUnavailable } from "./database-unavailable.ts";
import { openDatabase } from "./open-database.ts";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("isDatabaseUnavailable", () => {
  it("is true for a refused connection and a pool connect timeout, and wraps them for runs", async () => {
    const port = await closedPort();
    const refused = await new pg.Client({ host: "127.0.0.1", port }).connect().catch((e: unknown) => e);
    expect(isDatabaseUnavailable(refused)).toBe(true);

    // a server that accepts but never answers: the pool gives up after its connect timeout
    const silent = createServer(() => {}).listen(0, "127.0.0.1");
    await new Promise((r) => silent.once("listening", r));
    const pool = new pg.Pool({
      host: "127.0.0.1",
      port: (silent.address() as { port: number }).port,
      connectionTimeoutMillis: 200,
    });
    const timedOut = await pool.query("SELECT 1").catch((e: unknown) => e);
    await pool.end();
    silent.close();
    expect(isDatabaseUnavailable(timedOut)).toBe(true);

    let wrapped: unknown;
    try {
      rethrowUnavailable(refused);
    } catch (error) {
      wrapped = error;
    }
    expect(wrapped).toBeInstanceOf(DatabaseUnavailableError);
    expect(wrapped).toMatchObject({ code: "DATABASE_UNAVAILABLE" });
    expect(isDatabaseUnavailable(new Error("outer", { cause: refused }))).toBe(true);
  });

  it("is false for a query the database rejects and for ordinary errors", async () => {
    const database = await openDatabase({ dataDir: "memory://", migrate: false });
    try {
      const bad = await sql`SELEC 1`.execute(database.db).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(bad)).toBe(false);
      const missing = await sql`SELECT * FROM no_such_table`.execute(database.db).catch((e: unknown) => e);
      expect(isDatabaseUnavailable(missing)).toBe(false);
    } finally {
      await database.close();
    }
    expect(isDatabaseUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});
