/**
 * The `portflow` command tree (commander). Each command group lives in its own file under
 * `commands/` and is imported only when it runs (or for the help), so `portflow --version` loads
 * neither the database nor the node types.
 * @module
 */
import { Command } from "commander";
import type { CliSession } from "./cli-session.ts";

type RegisterCommands = (program: Command, session: CliSession) => void;

/** The top-level commands, in the help's order, each with the loader of its group. */
const COMMAND_GROUPS: Readonly<Record<string, () => Promise<RegisterCommands>>> = {
  serve: async () => (await import("./commands/serve-command.ts")).registerServeCommand,
  worker: async () => (await import("./commands/worker-command.ts")).registerWorkerCommand,
  db: async () => (await import("./commands/db-commands.ts")).registerDbCommands,
  bots: async () => (await import("./commands/bots-commands.ts")).registerBotsCommands,
  keys: async () => (await import("./commands/keys-commands.ts")).registerKeysCommands,
  secrets: async () => (await import("./commands/secrets-commands.ts")).registerSecretsCommands,
  ingest: async () => (await import("./commands/ingest-command.ts")).registerIngestCommand,
  documents: async () => (await import("./commands/documents-commands.ts")).registerDocumentsCommands,
  index: async () => (await import("./commands/index-commands.ts")).registerIndexCommands,
  workflow: async () => {
    const [commands, run] = await Promise.all([
      import("./commands/workflow-commands.ts"),
      import("./commands/workflow-run-command.ts"),
    ]);
    return (program, session) => {
      commands.registerWorkflowCommands(program, session);
      run.registerWorkflowRunCommand(program, session);
    };
  },
  nodes: async () => (await import("./commands/nodes-commands.ts")).registerNodesCommands,
  run: async () => (await import("./commands/run-command.ts")).registerRunCommand,
  runs: async () => (await import("./commands/runs-commands.ts")).registerRunsCommands,
  eval: async () => (await import("./commands/eval-command.ts")).registerEvalCommand,
  "migrate-v1": async () => (await import("./commands/migrate-v1-command.ts")).registerMigrateV1Command,
  import: async () => (await import("./commands/import-command.ts")).registerImportCommand,
};

/**
 * The command groups `argv` needs: the named command's, none for a bare `--version`, and all of
 * them otherwise (help, no command, an unknown one: the help and the suggestions stay complete).
 */
export function commandGroupsFor(argv: readonly string[]): readonly string[] {
  const name = argv.find((arg) => !arg.startsWith("-"));
  if (name !== undefined && Object.hasOwn(COMMAND_GROUPS, name)) return [name];
  if (name === undefined && argv.some((arg) => arg === "-V" || arg === "--version")) return [];
  return Object.keys(COMMAND_GROUPS);
}

/** Builds the command tree with the given groups; errors throw (exitOverride) so `runCli` decides the exit code. */
export async function createProgram(session: CliSession, groups: readonly string[]): Promise<Command> {
  const program = new Command("portflow")
    .description(
      "Portflow: workflow-driven retrieval-augmented chat bots.\n" +
        "Uses the embedded database under PORTFLOW_DATA_DIR (default ./.portflow), or DATABASE_URL when set.",
    )
    // within one command, --version is the command's own (`runs resume --version N`): root options are read anywhere
    .version("0.1.0", groups.length === 1 ? "-V" : "-V, --version")
    .option("--verbose", "print stack traces (and more detail where a command has it)")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({
      writeOut: (text) => session.io.stdout.write(text),
      writeErr: (text) => session.io.stderr.write(text),
      outputError: (text, write) => write(`portflow: ${text.replace(/^error: /, "")}`),
    });
  const registers = await Promise.all(
    groups.map(async (name) => {
      const register = await COMMAND_GROUPS[name]?.();
      if (typeof register !== "function") throw new Error(`the command group "${name}" did not load`);
      return register;
    }),
  );
  for (const register of registers) register(program, session);
  return program;
}
