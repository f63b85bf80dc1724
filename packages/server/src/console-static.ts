/**
 * The web console (`@portflow/console`, built by `pnpm install`) as static files at `/console/`,
 * on the API's origin so it needs no CORS. The server does not import the console package (it is
 * only files): it reads the build output beside this package in the workspace.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { AppError } from "./app-error.ts";

/** Where `pnpm install` builds the console in this workspace (`packages/console/dist`). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL("../../console/dist/", import.meta.url));

/** The console's path on the server. */
export const CONSOLE_PATH = "/console/";

/**
 * Serves `dir` at `/console/` (and redirects `/console` there). Without a build (no
 * `index.html` in `dir`) `/console/` answers 404 saying how to build it, instead of a blank page.
 */
export async function registerConsole(app: FastifyInstance, dir: string = DEFAULT_CONSOLE_DIR): Promise<void> {
  app.get("/console", { schema: { hide: true } }, (_request, reply) => reply.redirect(CONSOLE_PATH));
  if (!existsSync(join(dir, "index.html"))) {
    app.get("/console/*", { schema: { hide: true } }, async () => {
      throw AppError.notFound(
        "the console build (run `pnpm install`, or `pnpm --filter @portflow/console build`)",
        "console",
      );
    });
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: CONSOLE_PATH,
    // file names under assets/ carry a content hash; index.html must be revalidated
    setHeaders: (reply, path) => {
      reply.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    },
  });
}
