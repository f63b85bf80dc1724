import type { Logger } from "@portflow/engine";
import type { FastifyBaseLogger } from "fastify";

/** The engine's Logger over a pino logger (fields first, as pino takes them). */
export function pinoEngineLogger(log: FastifyBaseLogger): Logger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}
