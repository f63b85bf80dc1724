/** An expected failure of a command: printed as one line (`portflow: <message>`), exit code 1 by default. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
