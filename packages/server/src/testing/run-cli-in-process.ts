import { Readable, Writable } from "node:stream";
import { runCli } from "../cli/run-cli.ts";

/** A stream that keeps each write apart, so a test can see output arrive in pieces. */
export class CapturedOutput extends Writable {
  readonly writes: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.writes.push(chunk.toString());
    callback();
  }
  get text(): string {
    return this.writes.join("");
  }
}

/** What one in-process CLI call printed and returned. */
export interface CliCallResult {
  readonly code: number;
  readonly stdout: CapturedOutput;
  readonly stderr: CapturedOutput;
}

/**
 * `portflow …argv` through the CLI's own entry point in this process, on the embedded database in
 * `dataDir` and the offline local providers. Cheaper than spawning the built bin (the modules and
 * PGlite's WebAssembly are loaded once per test file): tests use it to prepare data the spawned
 * CLI then reads, and where they must see each write to stdout apart (streaming).
 *
 * @example
 * const created = await runCliInProcess(dataDir, "bots", "create", "--name", "faq", "--json");
 */
export async function runCliInProcess(dataDir: string, ...argv: string[]): Promise<CliCallResult> {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const env = { PORTFLOW_DATA_DIR: dataDir, LLM_PROVIDER: "local", NO_COLOR: "1" };
  const code = await runCli(argv, env, { stdout, stderr });
  return { code, stdout, stderr };
}

/** Like {@link runCliInProcess}, but throws (with what it printed) unless the command exits 0. */
export async function runCliOrThrow(dataDir: string, ...argv: string[]): Promise<string> {
  const result = await runCliInProcess(dataDir, ...argv);
  if (result.code !== 0) {
    throw new Error(`portflow ${argv.join(" ")} exited ${result.code}:\n${result.stderr.text}${result.stdout.text}`);
  }
  return result.stdout.text;
}

/** Options of {@link runCliWithInput}. */
export interface CliInput {
  /** Piped to the command's standard input. */
  readonly stdin?: string;
  /** Added to the environment (`PORTFLOW_SECRET_KEY`, say). */
  readonly env?: Readonly<Record<string, string>>;
}

/** {@link runCliInProcess} with standard input and extra environment variables. */
export async function runCliWithInput(dataDir: string, input: CliInput, ...argv: string[]): Promise<CliCallResult> {
  const stdout = new CapturedOutput();
  const stderr = new CapturedOutput();
  const env = { PORTFLOW_DATA_DIR: dataDir, LLM_PROVIDER: "local", NO_COLOR: "1", ...input.env };
  const stdin = Readable.from(input.stdin === undefined ? [] : [Buffer.from(input.stdin)]);
  const code = await runCli(argv, env, { stdout, stderr, stdin });
  return { code, stdout, stderr };
}

/** Like {@link runCliWithInput}, but throws (with what it printed) unless the command exits 0. */
export async function runCliWithInputOrThrow(dataDir: string, input: CliInput, ...argv: string[]): Promise<string> {
  const result = await runCliWithInput(dataDir, input, ...argv);
  if (result.code !== 0) throw new Error(`portflow ${argv.join(" ")} exited ${result.code}: ${result.stderr.text}`);
  return result.stdout.text;
}
