import type { Bot, Storage } from "@portflow/storage";
import { CliError } from "./cli-error.ts";

/** The bot with this id, or a CliError saying it does not exist. */
export async function requireBot(storage: Pick<Storage, "bots">, botId: string): Promise<Bot> {
  const bot = await storage.bots.get(botId);
  if (bot === undefined) throw new CliError(`bot ${botId} does not exist (see \`portflow bots list\`)`);
  return bot;
}
