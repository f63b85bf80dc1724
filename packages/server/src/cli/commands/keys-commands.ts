import type { ApiKeyScope } from "@portflow/storage";
import { type Command, InvalidArgumentError } from "commander";
import { CliError } from "../cli-error.ts";
import type { CliSession } from "../cli-session.ts";
import { requireBot } from "../require-bot.ts";
import { formatTable } from "../text-table.ts";

const SCOPES: readonly ApiKeyScope[] = ["admin", "bot", "chat"];

function parseScope(value: string): ApiKeyScope {
  if (!SCOPES.includes(value as ApiKeyScope)) throw new InvalidArgumentError(`expected one of ${SCOPES.join(", ")}`);
  return value as ApiKeyScope;
}

/** `portflow keys create|list|revoke`. */
export function registerKeysCommands(program: Command, session: CliSession): void {
  const keys = program.command("keys").description("API keys for the HTTP API");
  keys
    .command("create")
    .description("create an API key and print it once (only its hash is stored)")
    .option("--bot <bot-id>", "limit the key to this bot (default: an admin key for every bot)")
    .option(
      "--scope <scope>",
      "admin (every bot), bot (everything of --bot) or chat (only chat with --bot: for widgets); " +
        "default: bot with --bot, else admin",
      parseScope,
    )
    .option("--name <name>", "a label for the key")
    .option("--json", "print JSON (the key is in `plaintext`)")
    .action(async (options: { bot?: string; scope?: ApiKeyScope; name?: string; json?: boolean }) => {
      const scope = options.scope ?? (options.bot !== undefined ? "bot" : "admin");
      if (scope === "admin" && options.bot !== undefined) {
        throw new CliError("an admin key is not limited to a bot: drop --bot, or use --scope bot or chat");
      }
      if (scope !== "admin" && options.bot === undefined) throw new CliError(`a ${scope} key needs --bot <bot-id>`);
      const storage = await session.storage();
      if (options.bot !== undefined) await requireBot(storage, options.bot);
      const name =
        options.name ?? (options.bot !== undefined ? `cli ${scope} key for bot ${options.bot}` : "cli admin key");
      const created = await storage.apiKeys.create({ name, botId: options.bot ?? null, scope });
      if (options.json === true) return session.json({ ...created.key, plaintext: created.plaintext });
      session.out(created.plaintext);
      session.err(
        `portflow: created ${scope === "admin" ? "an admin key" : `a ${scope} key for bot ${options.bot}`} ` +
          `(id ${created.key.id}, "${name}"). Store it now: it is not shown again. Use it as "Authorization: Bearer <key>".`,
      );
    });

  keys
    .command("list")
    .description("list API keys (revoked ones too); never shows a key itself, only its prefix")
    .option("--bot <bot-id>", "only this bot's keys")
    .option("--json", "print JSON")
    .action(async (options: { bot?: string; json?: boolean }) => {
      const storage = await session.storage();
      if (options.bot !== undefined) await requireBot(storage, options.bot);
      const list = await storage.apiKeys.list(options.bot);
      if (options.json === true) return session.json(list);
      if (list.length === 0)
        return session.out(options.bot !== undefined ? `no keys for bot ${options.bot}` : "no keys");
      session.out(
        formatTable(
          [
            { header: "id" },
            { header: "prefix" },
            { header: "name" },
            { header: "scope" },
            { header: "bot" },
            { header: "created" },
            { header: "last used" },
            { header: "revoked" },
          ],
          list.map((k) => [
            k.id,
            `${k.prefix}…`,
            k.source === "env" ? `${k.name} (env)` : k.name,
            k.scope,
            k.botId,
            k.createdAt,
            k.lastUsedAt,
            k.revokedAt,
          ]),
        ),
      );
    });

  keys
    .command("revoke")
    .description("revoke an API key: it is refused (401) from its next request on")
    .argument("<key-id>", "the key's id (see `portflow keys list`)")
    .action(async (keyId: string) => {
      const storage = await session.storage();
      if (!(await storage.apiKeys.revoke(keyId))) {
        throw new CliError(`no active key with id ${keyId} (see \`portflow keys list\`)`);
      }
      session.out(`revoked key ${keyId}`);
    });
}
