import type { LogFields, Logger } from "@portflow/engine";
import type { FastifyBaseLogger } from "fastify";

/** An engine Logger that can make a child carrying fields on every line (a pino child logger). */
export interface ChildLogger extends Logger {
  child(fields: LogFields): ChildLogger;
}

/** The engine's Logger over a pino logger (fields first, as pino takes them). */
export function pinoEngineLogger(log: FastifyBaseLogger): ChildLogger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
    child: (fields) => pinoEngineLogger(log.child(fields)),
  };
}

/** Whether a Logger can make children (one from {@link pinoEngineLogger}). */
export function isChildLogger(logger: Logger): logger is ChildLogger {
  return typeof (logger as Partial<ChildLogger>).child === "function";
}
