import type { Command } from "commander";
import type { CliSession } from "../cli-session.ts";
import { requireBot } from "../require-bot.ts";

/** `portflow keys create`. */
export function registerKeysCommands(program: Command, session: CliSession): void {
  const keys = program.command("keys").description("API keys for the HTTP API");
  keys
    .command("create")
    .description("create an API key and print it once (only its hash is stored)")
    .option("--bot <bot-id>", "limit the key to this bot (default: an admin key for every bot)")
    .option("--name <name>", "a label for the key")
    .option("--json", "print JSON (the key is in `plaintext`)")
    .action(async (options: { bot?: string; name?: string; json?: boolean }) => {
      const { storage } = await session.context();
      if (options.bot !== undefined) await requireBot(storage, options.bot);
      const name = options.name ?? (options.bot !== undefined ? `cli key for bot ${options.bot}` : "cli admin key");
      const created = await storage.apiKeys.create({ name, botId: options.bot ?? null });
      if (options.json === true) return session.json({ ...created.key, plaintext: created.plaintext });
      session.out(created.plaintext);
      session.err(
        `portflow: created ${options.bot !== undefined ? `a key for bot ${options.bot}` : "an admin key"} ` +
          `(id ${created.key.id}, "${name}"). Store it now: it is not shown again. Use it as "Authorization: Bearer <key>".`,
      );
    });
}
