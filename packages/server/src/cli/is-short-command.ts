/**
 * Whether a command runs briefly: it opens the database, reads or writes a few rows and exits.
 * Such a command starts the embedded database for that: PGlite is 9 MB of WebAssembly, which V8
 * compiles with its baseline compiler (Liftoff) and then re-compiles where hot with its optimizing
 * one (TurboFan) in background threads; in a short command that re-compiling is most of PGlite's
 * start-up CPU (0.7 s of `bots list`'s 2.2 s on this machine) and is never paid back, so it gets
 * Liftoff only, and a small buffer pool (`openConfiguredStorage`'s `shortLived`). A server, a worker
 * or a long ingest keeps both.
 * @module
 */

/** Commands that are not short: they run long, or work the embedded database hard. */
const LONG_COMMANDS: ReadonlySet<string> = new Set(["serve", "worker", "ingest", "eval", "db"]);

/** True unless `argv` names one of {@link LONG_COMMANDS}. */
export function isShortCommand(argv: readonly string[]): boolean {
  const command = argv.find((arg) => !arg.startsWith("-"));
  return command === undefined || !LONG_COMMANDS.has(command);
}
