/**
 * Runs the CLI once: parses the arguments, runs the command, closes what it opened and turns any
 * failure into one line on stderr (`portflow: <message>`, plus the stack with `--verbose`).
 * @module
 */
import { CommanderError } from "commander";
import { CliError } from "./cli-error.ts";
import { type CliIo, CliSession } from "./cli-session.ts";
import { commandGroupsFor, createProgram } from "./create-program.ts";
import { isShortCommand } from "./is-short-command.ts";

/**
 * Runs `portflow <argv…>` and resolves with the exit code. Long-running commands (`serve`)
 * resolve once started and keep the process alive.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), process.env, process);
 */
export async function runCli(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
): Promise<number> {
  const groups = commandGroupsFor(argv);
  // The configuration module pulls in the node types and storage: only load it for a command.
  const readConfig = groups.length === 0 ? undefined : (await import("../config.ts")).loadConfig;
  const session = new CliSession(env, io, readConfig, { shortLived: isShortCommand(argv) });
  const verbose = argv.includes("--verbose");
  let code = 0;
  try {
    await (await createProgram(session, groups)).parseAsync([...argv], { from: "user" });
  } catch (error) {
    code = reportError(session, explainConnectionError(error, env), verbose);
  }
  try {
    await session.close();
  } catch (error) {
    if (code === 0) code = reportError(session, error, verbose);
  }
  return code;
}

/** Exit code of a usage error: an unknown command or option, a missing or malformed argument. */
export const USAGE_EXIT_CODE = 2;

function reportError(session: CliSession, error: unknown, verbose: boolean): number {
  // Commander has printed its own message (unknown option, missing argument) or the help.
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
  const message = error instanceof Error ? error.message : String(error);
  session.err(`portflow: ${oneLine(message)}`);
  if (verbose && error instanceof Error && !(error instanceof CliError) && error.stack !== undefined) {
    session.err(error.stack);
  }
  return error instanceof CliError ? error.exitCode : 1;
}

const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "ECONNRESET"]);

/** A network error while DATABASE_URL is set is about the database: say so. */
function explainConnectionError(error: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !CONNECTION_ERRORS.has(code) || !env.DATABASE_URL) return error;
  const explained = new Error(`cannot reach the PostgreSQL server of DATABASE_URL (${(error as Error).message})`, {
    cause: error,
  });
  explained.stack = (error as Error).stack ?? explained.stack;
  return explained;
}

function oneLine(message: string): string {
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}
