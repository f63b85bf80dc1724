import { AppError } from "./app-error.ts";

/** Who is calling: an API key, either admin (every bot) or scoped to one bot. */
export interface Principal {
  readonly keyId: string;
  /** `null` for admin keys. */
  readonly botId: string | null;
}

export function isAdmin(principal: Principal): boolean {
  return principal.botId === null;
}

/**
 * Throws the same 404 a missing bot gets when a bot-scoped key asks for another bot, so a
 * caller learns nothing about bots it cannot reach.
 */
export function assertBotAccess(principal: Principal, botId: string): void {
  if (principal.botId !== null && principal.botId !== botId) throw AppError.notFound("bot");
}

export function assertAdmin(principal: Principal, action: string): void {
  if (!isAdmin(principal)) throw AppError.forbidden(`${action} needs an admin key`);
}
