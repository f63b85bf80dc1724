/**
 * Security headers on every response, through @fastify/helmet: `X-Content-Type-Options: nosniff`,
 * HSTS, frame and cross-origin policies, and a Content-Security-Policy. API responses are JSON
 * (or SSE) and never cached: they get `Cache-Control: no-store` and a CSP that allows nothing.
 * Swagger UI at `/docs` gets the CSP its plugin computes for its own assets (`docsCspOptions`).
 * @module
 */
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/** The CSP of `/api` responses: JSON is data, nothing in it may load or run anything. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** `/api` and everything under it (not `/apiary`). */
function isApiPath(url: string): boolean {
  return url === "/api" || url.startsWith("/api/") || url.startsWith("/api?");
}

/**
 * Swagger UI's CSP, adjusted: without `upgrade-insecure-requests` (the server is often reached
 * over plain HTTP on port 8001, where it would send the browser to an HTTPS port nobody listens
 * on), and with inline styles, which swagger-ui-bundle.js applies while rendering (Chromium
 * reports "Applying inline style violates ... style-src" without it). Scripts stay `'self'` only.
 */
function docsCsp(csp: string): string {
  return csp
    .split(";")
    .map((directive) => directive.trim())
    .filter((directive) => directive !== "" && directive !== "upgrade-insecure-requests")
    .map((directive) =>
      directive.startsWith("style-src ") && !directive.includes("'unsafe-inline'")
        ? `${directive} 'unsafe-inline'`
        : directive,
    )
    .join("; ");
}

/**
 * Registers helmet on the root instance (before any route, so every route gets its headers) and
 * the `/api` policy. The `/api` headers are set when the request arrives, so error responses
 * and hijacked SSE replies (which copy `reply.getHeaders()`) carry them too.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { "upgrade-insecure-requests": null } },
  });
  app.addHook("onRequest", async (request, reply) => {
    if (!isApiPath(request.url)) return;
    reply.header("cache-control", "no-store");
    reply.header("content-security-policy", API_CSP);
  });
}

/**
 * Options for @fastify/swagger-ui: the CSP it computes for Swagger UI's scripts and styles
 * (`staticCSP`, hashes of any inline code included), adjusted by `docsCsp`.
 */
export const docsCspOptions = {
  staticCSP: true,
  transformStaticCSP: docsCsp,
} as const;
