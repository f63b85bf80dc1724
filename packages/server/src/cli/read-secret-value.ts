import { createInterface } from "node:readline";
import { CliError } from "./cli-error.ts";
import type { CliIo } from "./cli-session.ts";

/**
 * A secret's value from standard input: piped (`printf %s "$TOKEN" | portflow secrets set …`,
 * one trailing newline dropped) or typed at a prompt on a terminal. Never from argv, which other
 * users can see in the process list and shells keep in their history.
 */
export async function readSecretValue(io: CliIo, name: string): Promise<string> {
  const stdin = io.stdin;
  if (stdin === undefined) throw new CliError("no standard input to read the secret's value from");
  let value: string;
  if (stdin.isTTY === true) {
    io.stderr.write(`value of ${name} (input is not echoed): `);
    value = await readLineUnechoed(stdin, io);
  } else {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
    value = Buffer.concat(chunks)
      .toString("utf8")
      .replace(/\r?\n$/, "");
  }
  if (value === "")
    throw new CliError(`no value given for secret ${name}: pipe it on standard input or type it at the prompt`);
  return value;
}

async function readLineUnechoed(stdin: NodeJS.ReadableStream, io: CliIo): Promise<string> {
  const rl = createInterface({ input: stdin, terminal: true });
  // swallow the echo of typed characters: readline writes them through _writeToOutput
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.once("line", resolve));
  } finally {
    rl.close();
    io.stderr.write("\n");
  }
}
