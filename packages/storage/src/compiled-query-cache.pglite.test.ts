import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CompiledQueryCache } from "./compiled-query-cache.ts";
import { openDatabase, type StorageDatabase } from "./open-database.ts";

let database: StorageDatabase;

beforeAll(async () => {
  database = await openDatabase({ dataDir: "memory://", embeddingDimensions: 4 });
  await sql`INSERT INTO bots (id, name) VALUES ('b1', 'first'), ('b2', 'second'), ('b3', 'third')`.execute(database.db);
});
afterAll(async () => {
  await database?.close();
});

describe("CompiledQueryCache", () => {
  it("compiles a shape once and runs it with each call's own values", async () => {
    const cache = new CompiledQueryCache();
    let builds = 0;
    const byNames = (names: readonly string[]) =>
      cache.compile(`names/${names.length}`, names, (p) => {
        builds++;
        return database.db
          .selectFrom("bots")
          .select("id")
          .where("name", "in", p as string[])
          .where("id", "<>", "none") // a value the shape fixes
          .orderBy("id");
      });
    const first = byNames(["first", "third"]);
    const second = byNames(["second", "third"]);
    expect(second.sql).toBe(first.sql);
    expect((await database.db.executeQuery(first)).rows).toEqual([{ id: "b1" }, { id: "b3" }]);
    expect((await database.db.executeQuery(second)).rows).toEqual([{ id: "b2" }, { id: "b3" }]);
    expect((await database.db.executeQuery(byNames(["second"]))).rows).toEqual([{ id: "b2" }]);
    expect(builds).toBe(2); // one per shape: two names, one name
  });

  it("refuses a shape that put an argument into the SQL text, where a later call could not change it", () => {
    const cache = new CompiledQueryCache();
    expect(() =>
      cache.compile("raw", ["b1"], (p) =>
        database.db
          .selectFrom("bots")
          .select("id")
          .where(sql.raw<boolean>(`id = '${String(p[0])}'`)),
      ),
    ).toThrow(/in the SQL text/);
  });

  it("sends an undefined argument as NULL", async () => {
    const cache = new CompiledQueryCache();
    const query = cache.compile("coalesce", [undefined], (p) =>
      database.db.selectNoFrom(sql<string>`coalesce(${p[0]}, 'null')`.as("v")),
    );
    expect((await database.db.executeQuery(query)).rows).toEqual([{ v: "null" }]);
  });
});
