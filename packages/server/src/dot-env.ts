/**
 * The `.env` file of the working directory, for the entry point to merge under the environment.
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `env` with the variables of `<cwd>/.env` added where `env` has none: the real environment
 * wins, even with an empty value. No `.env`: `env` as it is. Parsed by Node's `util.parseEnv`
 * (`KEY=value` lines, `#` comments, quoted values).
 *
 * @example
 * process.exitCode = await runCli(argv, withDotEnv(process.env), process);
 */
export function withDotEnv(env: Env, cwd: string = process.cwd()): Env {
  let text: string;
  try {
    text = readFileSync(join(cwd, ".env"), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return env;
    throw error;
  }
  return { ...parseEnv(text), ...env };
}
