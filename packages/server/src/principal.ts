/**
 * Who is calling, and what its key's scope lets it do. Every scope decision is made here: the
 * auth hook asks `assertScopeAllows` once per request, routes ask `assertBotAccess`/`assertAdmin`.
 * @module
 */
import type { ApiKeyScope, Bot } from "@portflow/storage";
import { AppError } from "./app-error.ts";

/** Who is calling: an API key with its scope (`admin`, `bot` or `chat`) and, unless admin, its bot. */
export interface Principal {
  readonly keyId: string;
  /** `null` for admin keys. */
  readonly botId: string | null;
  readonly scope: ApiKeyScope;
  /** The key's bot as read with the key, this request (null for admin keys): spares a second read. */
  readonly bot?: Bot | null;
}

/** The routes (`METHOD /url-template`) a chat-scoped key may call; every other route is refused. */
const CHAT_SCOPE_ROUTES: ReadonlySet<string> = new Set(["POST /api/v1/chat"]);

export function isAdmin(principal: Principal): boolean {
  return principal.scope === "admin";
}

/**
 * Throws 403 when the key's scope does not cover this route at all (a chat key on anything but
 * chat). Which bot the route touches is checked later, by `assertBotAccess`.
 *
 * @param routeUrl the route's URL template, e.g. `/api/v1/bots/:bot_id`
 */
export function assertScopeAllows(principal: Principal, method: string, routeUrl: string | undefined): void {
  if (principal.scope === "chat" && !CHAT_SCOPE_ROUTES.has(`${method} ${routeUrl ?? ""}`)) {
    throw AppError.forbidden("this key's scope (chat) allows only POST /api/v1/chat");
  }
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
