/**
 * @portflow/storage/testing — helpers for tests that need a real PostgreSQL server, or count the
 * statements a call runs.
 * @module
 */
export { countStatements, type StatementCounter } from "./count-statements.ts";
export { type PostgresServer, type StartPostgresServerOptions, startPostgresServer } from "./start-postgres-server.ts";
