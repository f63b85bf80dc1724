import { ApiClient } from "../api/api-client.ts";
import { ApiError } from "../api/api-error.ts";

/** Who a signed-in key is: an admin key sees every bot, a bot key its own bot. */
export interface Identity {
  readonly key: string;
  readonly scope: "admin" | "bot";
  /** The bot of a bot key (`null` for admin keys). */
  readonly botId: string | null;
  readonly client: ApiClient;
}

/** Refused at sign-in: the key is wrong, or its scope cannot use the console. */
export class SignInError extends Error {}

/** The console's message for a chat-scope key, which the API answers 403 on everything but chat. */
export const CHAT_KEY_REFUSED =
  "This is a chat key: it may only call POST /api/v1/chat (for a chat widget). Sign in with an admin key or a bot key.";

/**
 * Checks `key` against the API and finds its scope: listing bots works for admin and bot keys
 * (a chat key gets a 403 saying it allows only chat); listing keys works for admin keys only.
 */
export async function signIn(key: string, signal?: AbortSignal): Promise<Identity> {
  const trimmed = key.trim();
  if (trimmed === "") throw new SignInError("Enter an API key (it starts with pf_).");
  const client = new ApiClient(trimmed);
  let bots: Awaited<ReturnType<ApiClient["listBots"]>>;
  try {
    bots = await client.listBots(signal);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      throw new SignInError(`The API refused this key: ${error.message}`);
    if (error instanceof ApiError && error.status === 403) {
      throw new SignInError(/only.*chat|chat.*only/i.test(error.message) ? CHAT_KEY_REFUSED : error.message);
    }
    throw error;
  }
  try {
    await client.request("GET", "/keys", undefined, signal);
    return { key: trimmed, scope: "admin", botId: null, client };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
  return { key: trimmed, scope: "bot", botId: bots.items[0]?.id ?? null, client };
}
