/**
 * Bearer API-key authentication: `Authorization: Bearer pf_…`, checked against hashed keys.
 * @module
 */
import type { ApiKeyRepository } from "@portflow/storage";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "./app-error.ts";
import { assertScopeAllows, type Principal } from "./principal.ts";
import type { AuthFailureGuard } from "./rate-limits.ts";

/** Looks a plaintext key up (the storage keeps only hashes). */
export interface ApiKeyVerifier {
  verify(plaintext: string): Promise<Principal | undefined>;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the auth hook on every `/api/v1` route. */
    principal: Principal | null;
  }
}

const BEARER = /^Bearer\s+(pf_[A-Za-z0-9_-]+)\s*$/i;

/** The plaintext key from an Authorization header, or undefined. */
export function bearerKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

/** Verifies keys against the storage's hashed API keys. */
export function storedApiKeys(repository: ApiKeyRepository): ApiKeyVerifier {
  return {
    async verify(plaintext) {
      const key = await repository.verify(plaintext);
      return key === undefined ? undefined : { keyId: key.id, botId: key.botId, scope: key.scope, bot: key.bot };
    },
  };
}

/** The caller, or a 401. For handlers inside the authenticated scope. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw AppError.unauthorized();
  return request.principal;
}

/**
 * Registers the auth hook on `app` (use inside an encapsulated scope). Every request's key is
 * looked up (nothing is cached, so a revoked key fails on its next request), then its scope is
 * checked against the route. A valid key is never refused for failures counted against its IP.
 */
export function registerApiKeyAuth(app: FastifyInstance, verifier: ApiKeyVerifier, guard?: AuthFailureGuard): void {
  if (!app.hasRequestDecorator("principal")) app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request, reply) => {
    const key = bearerKey(request.headers.authorization);
    const principal = key === undefined ? undefined : await verifier.verify(key);
    if (principal === undefined) {
      await guard?.recordFailure(request, reply);
      throw key === undefined ? AppError.unauthorized() : AppError.unauthorized("the API key is not valid");
    }
    assertScopeAllows(principal, request.method, request.routeOptions.url);
    request.principal = principal;
  });
}
