import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AppContext } from "../app-context.ts";

const PACKAGE_VERSION = "0.1.0";

/** Resolves "ok", or "unreachable" on failure or after `ms`. */
async function probe(check: () => Promise<unknown>, ms = 2_000): Promise<"ok" | "unreachable"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"unreachable">((resolve) => {
    timer = setTimeout(() => resolve("unreachable"), ms);
  });
  try {
    return await Promise.race([check().then(() => "ok" as const), timeout]);
  } catch {
    return "unreachable";
  } finally {
    clearTimeout(timer);
  }
}

const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  app_name: z.string(),
  version: z.string(),
  db: z.enum(["ok", "unreachable"]),
  redis: z.enum(["ok", "unreachable", "not-configured"]),
});

/** `GET /health`: 200 when the database answers, 503 when it does not. No auth. */
export function healthRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      "/health",
      {
        // Probes come every few seconds: no request lines at info, one line at debug (below).
        logLevel: "silent",
        onResponse: (request, reply, done) => {
          app.log.debug(
            {
              reqId: request.id,
              req: { method: request.method, url: request.url },
              res: { statusCode: reply.statusCode },
            },
            "health probe",
          );
          done();
        },
        schema: {
          operationId: "getHealth",
          tags: ["health"],
          summary: "Liveness and dependencies (no key needed)",
          security: [],
          response: { 200: healthSchema, 503: healthSchema },
        },
      },
      async (_request, reply) => {
        const [db, redis] = await Promise.all([
          probe(ctx.pingDatabase),
          ctx.redis === undefined ? ("not-configured" as const) : probe(() => ctx.redis!.ping()),
        ]);
        const body = {
          status: db === "ok" && redis !== "unreachable" ? ("ok" as const) : ("degraded" as const),
          app_name: "portflow",
          version: PACKAGE_VERSION,
          db,
          redis,
        };
        return reply.status(db === "ok" ? 200 : 503).send(body);
      },
    );
  };
}
