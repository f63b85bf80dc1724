import type { Command } from "commander";
import { CONSOLE_PATH } from "../../console-static.ts";
import { startServer } from "../../start-server.ts";
import type { CliSession } from "../cli-session.ts";
import { isDiskDataDir, lockDataDir } from "../data-dir-lock.ts";

/** `portflow serve`: the HTTP server, until SIGTERM/SIGINT. */
export function registerServeCommand(program: Command, session: CliSession): void {
  program
    .command("serve")
    .description("start the HTTP server (REST + Server-Sent Events, API docs at /docs)")
    .option("--port <port>", "listen on this port (default: PORT, else 8001)", (value) => {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`not a port: ${value}`);
      return port;
    })
    .option("--host <host>", "listen on this address (default: HOST, else 0.0.0.0)")
    .action(async (options: { port?: number; host?: string }) => {
      const config = {
        ...session.config,
        ...(options.port !== undefined && { port: options.port }),
        ...(options.host !== undefined && { host: options.host }),
      };
      // Held until the process exits (startServer exits on SIGTERM/SIGINT once closed).
      const lock =
        config.databaseUrl === undefined && isDiskDataDir(config.dataDir) ? lockDataDir(config.dataDir) : undefined;
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer(config);
      } catch (error) {
        lock?.release();
        throw error;
      }
      const database = config.databaseUrl !== undefined ? "DATABASE_URL" : `PGlite in ${config.dataDir}`;
      session.err(`portflow: listening on ${server.url} (database: ${database}; API docs at ${server.url}/docs)`);
      session.err(`portflow: web console at ${server.url}${CONSOLE_PATH}`);
    });
}
