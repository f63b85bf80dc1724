/**
 * Entry point of the `portflow` command (`bin/portflow.js` loads its build).
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { withDotEnv } from "../dot-env.ts";
import { isShortCommand } from "./is-short-command.ts";
import { runCli } from "./run-cli.ts";

// Set before anything compiles WebAssembly (PGlite, the sandboxes): it applies to later compiles.
if (isShortCommand(process.argv.slice(2))) setFlagsFromString("--liftoff-only");

// `portflow runs list | head -1`: a reader that went away is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// A `.env` in the working directory fills in what the environment does not set.
const code = await runCli(process.argv.slice(2), withDotEnv(process.env), process);
process.exitCode = code;
if (process.argv.slice(2).find((arg) => !arg.startsWith("-")) !== "serve") {
  // A command is done: do not let a stray handle (a provider's socket pool) keep the process up.
  setTimeout(() => process.exit(code), 2_000).unref();
}
