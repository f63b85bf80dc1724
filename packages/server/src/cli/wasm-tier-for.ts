/**
 * Which WebAssembly compiler a command wants. PGlite is 9 MB of WebAssembly: V8 compiles it with
 * its baseline compiler (Liftoff) and then re-compiles the functions that run hot with its
 * optimizing one (TurboFan), in background threads. In a command that opens the database, reads a
 * few rows and exits, that re-compiling is most of PGlite's start-up CPU (0.7 s of `bots list`'s
 * 2.2 s on this machine) and is never paid back; in a server or a long ingest it is.
 * @module
 */

/** Commands that keep the optimizing tier: they run long, or work the embedded database hard. */
const OPTIMIZED_COMMANDS: ReadonlySet<string> = new Set(["serve", "worker", "ingest", "eval", "db"]);

/** `baseline` (Liftoff only) for a short command, `optimizing` for one of {@link OPTIMIZED_COMMANDS}. */
export function wasmTierFor(argv: readonly string[]): "baseline" | "optimizing" {
  const command = argv.find((arg) => !arg.startsWith("-"));
  return command !== undefined && OPTIMIZED_COMMANDS.has(command) ? "optimizing" : "baseline";
}
