import { z } from "zod";

/** The body of every error response. */
export const errorResponseSchema = z
  .object({
    error: z.object({
      code: z.string().describe("stable, machine-readable: not_found, validation_error, rate_limited, ..."),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "ErrorResponse" });

export type ErrorResponse = z.infer<typeof errorResponseSchema>;

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): Record<S[number], typeof errorResponseSchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorResponseSchema])) as Record<
    S[number],
    typeof errorResponseSchema
  >;
}
