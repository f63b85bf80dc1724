/**
 * Entry point of the `portflow` command (`bin/portflow.js` loads its build).
 * @module
 */
import { runCli } from "./run-cli.ts";

// `portflow runs list | head -1`: a reader that went away is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

const code = await runCli(process.argv.slice(2), process.env, process);
process.exitCode = code;
if (process.argv.slice(2).find((arg) => !arg.startsWith("-")) !== "serve") {
  // A command is done: do not let a stray handle (a provider's socket pool) keep the process up.
  setTimeout(() => process.exit(code), 2_000).unref();
}
