/**
 * The `portflow` command tree (commander). Each command group lives in its own file under
 * `commands/`.
 * @module
 */
import { Command } from "commander";
import type { CliSession } from "./cli-session.ts";
import { registerBotsCommands } from "./commands/bots-commands.ts";
import { registerDbCommands } from "./commands/db-commands.ts";
import { registerEvalCommand } from "./commands/eval-command.ts";
import { registerImportCommand } from "./commands/import-command.ts";
import { registerIngestCommand } from "./commands/ingest-command.ts";
import { registerKeysCommands } from "./commands/keys-commands.ts";
import { registerMigrateV1Command } from "./commands/migrate-v1-command.ts";
import { registerRunCommand } from "./commands/run-command.ts";
import { registerRunsCommands } from "./commands/runs-commands.ts";
import { registerSecretsCommands } from "./commands/secrets-commands.ts";
import { registerServeCommand } from "./commands/serve-command.ts";
import { registerWorkerCommand } from "./commands/worker-command.ts";
import { registerWorkflowCommands } from "./commands/workflow-commands.ts";

/** Builds the command tree; errors throw (exitOverride) so `runCli` decides the exit code. */
export function createProgram(session: CliSession): Command {
  const program = new Command("portflow")
    .description(
      "Portflow: workflow-driven retrieval-augmented chat bots.\n" +
        "Uses the embedded database under PORTFLOW_DATA_DIR (default ./.portflow), or DATABASE_URL when set.",
    )
    .version("0.1.0")
    .option("--verbose", "print stack traces (and more detail where a command has it)")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (text) => session.io.stdout.write(text),
      writeErr: (text) => session.io.stderr.write(text),
      outputError: (text, write) => write(`portflow: ${text.replace(/^error: /, "")}`),
    });
  registerServeCommand(program, session);
  registerWorkerCommand(program, session);
  registerDbCommands(program, session);
  registerBotsCommands(program, session);
  registerKeysCommands(program, session);
  registerSecretsCommands(program, session);
  registerIngestCommand(program, session);
  registerWorkflowCommands(program, session);
  registerRunCommand(program, session);
  registerRunsCommands(program, session);
  registerEvalCommand(program, session);
  registerMigrateV1Command(program, session);
  registerImportCommand(program, session);
  return program;
}
