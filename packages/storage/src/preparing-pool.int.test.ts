/**
 * Named prepared statements on a real PostgreSQL: a repeated statement is prepared once per
 * connection; a table changed under a prepared `SELECT *` (a migration by another process) still
 * answers; switched off, nothing is prepared.
 */
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./open-database.ts";
import { startPostgresServer } from "./testing/start-postgres-server.ts";

const server = await startPostgresServer();
afterAll(async () => {
  await server?.stop();
});

let databases = 0;

async function open(preparedStatements: boolean) {
  if (server === undefined) throw new Error("no PostgreSQL");
  return openDatabase({
    databaseUrl: await server.createDatabase(`prepared_${++databases}`),
    embeddingDimensions: 3,
    maxConnections: 1, // every statement on the one connection whose prepared statements are read
    preparedStatements,
  });
}

async function preparedTexts(database: Awaited<ReturnType<typeof open>>): Promise<string[]> {
  const { rows } = await sql<{ statement: string }>`
    SELECT statement FROM pg_prepared_statements WHERE name LIKE 'pf\\_%'`.execute(database.db);
  return rows.map((r) => r.statement);
}

describe.skipIf(server === undefined)("prepared statements (PostgreSQL)", () => {
  it("prepares a repeated parameterised statement once on its connection and answers it each time", async () => {
    const database = await open(true);
    try {
      const answers: number[] = [];
      for (const n of [1, 2, 3]) {
        const { rows } = await sql<{ n: number }>`SELECT ${n}::int + 1 AS n`.execute(database.db);
        answers.push(rows[0]?.n ?? -1);
      }
      expect(answers).toEqual([2, 3, 4]);
      expect((await preparedTexts(database)).filter((t) => t.includes("::int + 1"))).toHaveLength(1);
    } finally {
      await database.close();
    }
  });

  it("still answers a prepared SELECT * after its table gained a column", async () => {
    const database = await open(true);
    try {
      await sql`CREATE TABLE widgets (id int PRIMARY KEY)`.execute(database.db);
      await sql`INSERT INTO widgets VALUES (1)`.execute(database.db);
      const read = () => sql<Record<string, unknown>>`SELECT * FROM widgets WHERE id = ${1}`.execute(database.db);
      expect((await read()).rows).toEqual([{ id: 1 }]);
      // another process migrates: the cached plan no longer fits the table
      await sql`ALTER TABLE widgets ADD COLUMN colour text DEFAULT 'blue'`.execute(database.db);
      expect((await read()).rows).toEqual([{ id: 1, colour: "blue" }]);
      expect((await read()).rows).toEqual([{ id: 1, colour: "blue" }]);
    } finally {
      await database.close();
    }
  });

  it("keeps answering an upsert whose conflict target is a partial index named by a parameter", async () => {
    const database = await open(true);
    try {
      await sql`CREATE TABLE drafts (bot text, status text, n int)`.execute(database.db);
      await sql`CREATE UNIQUE INDEX one_draft ON drafts (bot) WHERE status = 'draft'`.execute(database.db);
      // PostgreSQL plans a prepared statement generically from its sixth run: the partial index
      // can then no longer be inferred from `status = $2` (42P10)
      for (let i = 1; i <= 8; i++) {
        await sql`INSERT INTO drafts VALUES (${"b"}, ${"draft"}, ${i})
          ON CONFLICT (bot) WHERE status = ${"draft"} DO UPDATE SET n = excluded.n`.execute(database.db);
      }
      const { rows } = await sql<{ n: number }>`SELECT n FROM drafts`.execute(database.db);
      expect(rows).toEqual([{ n: 8 }]);
    } finally {
      await database.close();
    }
  });

  it("prepares nothing when switched off", async () => {
    const database = await open(false);
    try {
      for (const n of [1, 2]) await sql`SELECT ${n}::int + 1 AS n`.execute(database.db);
      expect(await preparedTexts(database)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
