/**
 * The server's Redis client, set up to fail fast: while Redis is unreachable every command fails
 * at once (no offline queue) or within the command timeout, so requests go on without it (rate
 * limits skipped, chats without stored history) instead of waiting for it; the client keeps
 * reconnecting on its own.
 * @module
 */
import { Redis } from "ioredis";
import type { OutageLog } from "./outage-log.ts";

export interface RedisConnectionOptions {
  /** Connect timeout and per-command timeout, in ms. */
  readonly timeoutMs: number;
  /** Told when Redis goes away and comes back. */
  readonly outage: OutageLog;
}

/** Reconnect delays: quick at first, then every 2 s for as long as it takes. */
const reconnectDelay = (attempt: number) => Math.min(100 * attempt, 2_000);

/**
 * Connects (rejecting when Redis cannot be reached now) and returns the client.
 *
 * @example
 * const redis = await connectRedis(config.redisUrl, { timeoutMs: 500, outage: new OutageLog(log, "redis", "…") });
 */
export async function connectRedis(url: string, options: RedisConnectionOptions): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.timeoutMs,
    commandTimeout: options.timeoutMs,
    // Without a connection a command fails at once instead of waiting for a reconnect.
    enableOfflineQueue: false,
    // A command in flight when the connection drops is failed, not resent after a reconnect.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: reconnectDelay,
  });
  // Each failed reconnect emits an error: the outage log keeps it to one warning.
  redis.on("error", (error: Error) => options.outage.down(error));
  redis.on("ready", () => options.outage.up());
  await redis.connect();
  return redis;
}

/** A failure to reach Redis (timeout, no connection), as opposed to Redis refusing a command. */
export function isRedisUnavailable(error: unknown): boolean {
  return error instanceof Error && error.name !== "ReplyError";
}
