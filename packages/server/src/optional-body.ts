import { z } from "zod";

/** A JSON body that may be left out: Fastify hands an absent body over as `null`. */
export function optionalBody<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => value ?? {}, schema);
}
