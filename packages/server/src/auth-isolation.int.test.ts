import { type PostgresServer, startPostgresServer } from "@portflow/storage/testing";
import { afterAll, describe } from "vitest";
import { describeBotIsolation } from "./auth-isolation-suite.ts";
import { type RedisServer, startRedisServer } from "./testing/redis-server.ts";

const postgres: PostgresServer | undefined = await startPostgresServer();
const redis: RedisServer | undefined = await startRedisServer();

afterAll(async () => {
  await postgres?.stop();
  await redis?.stop();
});

describe.skipIf(postgres === undefined || redis === undefined)("real PostgreSQL + pgvector and redis-server", () => {
  describeBotIsolation("PostgreSQL + Redis", async () => ({
    databaseUrl: await postgres!.createDatabase("isolation"),
    redisUrl: redis!.url,
  }));
});
