/**
 * Rate limits per API key and route group, through @fastify/rate-limit. With a Redis client the
 * counters are shared by every process using that Redis; without one they live in this process.
 * @module
 */
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { AppError } from "./app-error.ts";
import type { RateLimitConfig } from "./config.ts";

/**
 * The route group a request belongs to: the path segment after `/api/v1/` or after the bot id
 * (`bots`, `workflow-versions`, `workflow-executions`, `documents`, `chat`).
 */
export function routeGroup(routeUrl: string | undefined): string {
  const parts = (routeUrl ?? "").split("/").filter((p) => p !== "");
  // ["api","v1","bots",":bot_id","workflow-versions",...]
  if (parts[2] === "bots" && parts.length > 4) return parts[4] as string;
  return parts[2] ?? "other";
}

function rateLimitKey(request: FastifyRequest): string {
  const who = request.principal !== null ? `key:${request.principal.keyId}` : `ip:${request.ip}`;
  return `${who}:${routeGroup(request.routeOptions.url)}`;
}

/** Registers the limits on `app`; call inside the authenticated scope, before its routes. */
export async function registerRateLimits(
  app: FastifyInstance,
  config: RateLimitConfig,
  redis: Redis | undefined,
): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    // after the auth hook (onRequest), so the key is known
    hook: "preHandler",
    timeWindow: config.windowMs,
    max: async (request) => (routeGroup(request.routeOptions.url) === "chat" ? config.chatMax : config.max),
    keyGenerator: rateLimitKey,
    nameSpace: "portflow:rate-limit:",
    ...(redis !== undefined && { redis }),
    // a Redis outage should not take the API down with it
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(429, "rate_limited", `rate limit exceeded, retry in ${context.after}`, {
        limit: context.max,
        retry_after_seconds: Math.ceil(context.ttl / 1000),
      }),
  });
}

/**
 * Counts failed authentications (missing or invalid key) per client IP, so guessing keys is slowed
 * down. Only failing requests are refused once over the budget: a valid key from the same IP (a
 * shared proxy, office NAT) still gets through. The IP is `request.ip`, which honours
 * `PORTFLOW_TRUST_PROXY`.
 */
export interface AuthFailureGuard {
  /** Counts one failure; throws 429 when this IP is over its budget of failures. */
  recordFailure(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** Needs `registerRateLimits` on `app` first. Failures share the rate-limit store (Redis when given). */
export function authFailureGuard(app: FastifyInstance, config: RateLimitConfig): AuthFailureGuard {
  const check = app.createRateLimit({
    keyGenerator: (request) => `ip:${request.ip}:auth-failures`,
    max: config.max,
    timeWindow: config.windowMs,
  });
  return {
    async recordFailure(request, reply) {
      const state = await check(request);
      if (state.isAllowed || !state.isExceeded) return;
      reply.header("retry-after", state.ttlInSeconds);
      throw new AppError(429, "rate_limited", "too many failed authentications; retry later", {
        retry_after_seconds: state.ttlInSeconds,
      });
    },
  };
}
