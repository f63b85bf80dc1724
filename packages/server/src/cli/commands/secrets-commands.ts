import { SECRET_NAME_PATTERN } from "@portflow/nodes";
import { SecretKeyMissingError } from "@portflow/storage";
import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { readSecretValue } from "../read-secret-value.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

function parseName(value: string): string {
  if (!SECRET_NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError("a secret name is a letter or _ followed by up to 63 letters, digits or _");
  }
  return value;
}

/** `portflow secrets set|list|delete`: a bot's secrets, for `{{secret.NAME}}` in http-request nodes. */
export function registerSecretsCommands(program: Command, session: CliSession): void {
  const secrets = program.command("secrets").description("a bot's secrets (encrypted under PORTFLOW_SECRET_KEY)");
  secrets
    .command("set")
    .description("set a secret; the value is read from standard input (or a prompt), never from the command line")
    .requiredOption("--bot <bot-id>", "the bot")
    .argument("<name>", "the secret's name, as used in {{secret.NAME}}", parseName)
    .action(async (name: string, options: { bot: string }) => {
      if (session.config.secretKey === undefined) throw new SecretKeyMissingError();
      const { storage } = await session.context();
      await requireBot(storage, options.bot);
      const value = await readSecretValue(session.io, name);
      const { created } = await storage.botSecrets.set(options.bot, name, value);
      session.err(`portflow: ${created ? "set" : "replaced"} secret ${name} of bot ${options.bot}`);
    });

  secrets
    .command("list")
    .description("list a bot's secrets: names and times, never values")
    .requiredOption("--bot <bot-id>", "the bot")
    .option("--json", "print JSON")
    .action(async (options: { bot: string; json?: boolean }) => {
      const { storage } = await session.context();
      await requireBot(storage, options.bot);
      const list = await storage.botSecrets.list(options.bot);
      if (options.json === true) return session.json(list);
      if (list.length === 0) return session.out(`no secrets for bot ${options.bot}`);
      session.out(
        formatTable(
          [{ header: "name" }, { header: "created" }, { header: "updated" }],
          list.map((s) => [s.name, s.createdAt, s.updatedAt]),
        ),
      );
    });

  secrets
    .command("delete")
    .description("delete a secret")
    .requiredOption("--bot <bot-id>", "the bot")
    .argument("<name>", "the secret's name", parseName)
    .action(async (name: string, options: { bot: string }) => {
      const { storage } = await session.context();
      await requireBot(storage, options.bot);
      if (!(await storage.botSecrets.delete(options.bot, name))) {
        throw new CliError(`bot ${options.bot} has no secret ${name}`);
      }
      session.err(`portflow: deleted secret ${name} of bot ${options.bot}`);
    });
}
