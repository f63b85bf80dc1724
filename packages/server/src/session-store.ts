/**
 * Chat history per bot + session: the last N turns, expiring after a TTL. Redis when configured
 * (shared across processes), in memory otherwise.
 * @module
 */
import type { ChatMessage } from "@portflow/engine";
import type { Redis } from "ioredis";

export interface SessionStore {
  /** Messages of the session, oldest first (empty when unknown or expired). */
  history(botId: string, sessionId: string): Promise<ChatMessage[]>;
  /** Appends one turn and trims to the last `maxTurns` turns; refreshes the TTL. */
  appendTurn(botId: string, sessionId: string, user: string, assistant: string): Promise<void>;
}

export interface SessionStoreOptions {
  readonly maxTurns: number;
  readonly ttlSeconds: number;
}

function sessionKey(botId: string, sessionId: string): string {
  return `portflow:session:${botId}:${sessionId}`;
}

function parseMessage(raw: string): ChatMessage | undefined {
  try {
    const value = JSON.parse(raw) as Partial<ChatMessage>;
    if ((value.role === "user" || value.role === "assistant") && typeof value.content === "string") {
      return { role: value.role, content: value.content };
    }
  } catch {
    // a corrupt entry is dropped rather than failing the chat
  }
  return undefined;
}

/** Keeps each session as a Redis list of JSON messages, trimmed and expired atomically. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: SessionStoreOptions,
  ) {}

  async history(botId: string, sessionId: string): Promise<ChatMessage[]> {
    const raw = await this.redis.lrange(sessionKey(botId, sessionId), 0, -1);
    return raw.map(parseMessage).filter((m): m is ChatMessage => m !== undefined);
  }

  async appendTurn(botId: string, sessionId: string, user: string, assistant: string): Promise<void> {
    const key = sessionKey(botId, sessionId);
    await this.redis
      .multi()
      .rpush(
        key,
        JSON.stringify({ role: "user", content: user }),
        JSON.stringify({ role: "assistant", content: assistant }),
      )
      .ltrim(key, -2 * this.options.maxTurns, -1)
      .expire(key, this.options.ttlSeconds)
      .exec();
  }
}

/** One process only; expired sessions are dropped when touched. */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, { messages: ChatMessage[]; expiresAt: number }>();

  constructor(
    private readonly options: SessionStoreOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async history(botId: string, sessionId: string): Promise<ChatMessage[]> {
    const key = sessionKey(botId, sessionId);
    const entry = this.#sessions.get(key);
    if (entry === undefined) return [];
    if (entry.expiresAt <= this.now()) {
      this.#sessions.delete(key);
      return [];
    }
    return [...entry.messages];
  }

  async appendTurn(botId: string, sessionId: string, user: string, assistant: string): Promise<void> {
    const messages = [...(await this.history(botId, sessionId))];
    messages.push({ role: "user", content: user }, { role: "assistant", content: assistant });
    this.#sessions.set(sessionKey(botId, sessionId), {
      messages: messages.slice(-2 * this.options.maxTurns),
      expiresAt: this.now() + this.options.ttlSeconds * 1000,
    });
  }
}
