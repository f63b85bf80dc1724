/**
 * A server process for tests: `startServer(loadConfig(process.env))`, then one JSON line with its
 * URL on stdout. Exits when SIGTERM's graceful shutdown is done.
 */
import { loadConfig } from "../config.ts";
import { startServer } from "../start-server.ts";

const server = await startServer(loadConfig(process.env));
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
