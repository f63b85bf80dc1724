/**
 * Test helpers for `@portflow/server`.
 * @module
 */
export { type RedisServer, startRedisServer } from "./redis-server.ts";
