import { startPostgresServer } from "@portflow/storage/testing";
import { startRedisServer } from "/work/wt/crash/packages/server/src/testing/redis-server.ts";
import { executionModeRows } from "/work/wt/crash/packages/server/bench/execution-modes.ts";
import { corpus } from "/work/wt/crash/packages/server/bench/index.ts";
const pg = (await startPostgresServer({ required: true }))!;
const redis = (await startRedisServer())!;
try { console.table(await executionModeRows(pg.url, redis, corpus())); } finally { await redis.stop(); await pg.stop(); }
process.exit(0);
