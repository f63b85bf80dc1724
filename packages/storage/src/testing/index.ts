/**
 * @portflow/storage/testing — helpers for tests that need a real PostgreSQL server.
 * @module
 */
export { type PostgresServer, type StartPostgresServerOptions, startPostgresServer } from "./start-postgres-server.ts";
