/**
 * `Prefer: respond-async` (RFC 7240) for resume and rerun: answer 202 with the new run's id as
 * soon as it is submitted, so a client can follow it (`GET …/{run_id}/events`) or cancel it
 * instead of waiting for its end.
 * @module
 */
import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import type { AppContext } from "../app-context.ts";
import { saveConversation } from "../conversation-state.ts";
import type { RunSpec } from "../run-spec.ts";

/** The request header that asks for it. */
export const preferHeadersSchema = z.object({
  prefer: z
    .string()
    .max(200)
    .optional()
    .describe("`respond-async`: answer 202 with the new run's id once it is submitted, not when it has finished"),
});

/** The 202 answer. */
export const acceptedAttemptSchema = z
  .object({
    run_id: z.string().describe("the new run: follow it with GET …/{run_id}/events"),
    resumed_from: z.string().nullable().describe("the run this one continues (null for a rerun)"),
  })
  .meta({ id: "RunAttemptAccepted" });

/** Whether a `Prefer` header holds the `respond-async` preference. */
export function prefersRespondAsync(prefer: string | undefined): boolean {
  return (prefer ?? "").split(",").some((p) => p.split(";")[0]?.trim().toLowerCase() === "respond-async");
}

/**
 * Submits the run and answers with its id; it executes on (in this process or on a worker), and
 * its conversation variables are saved when it succeeds, as a waiting caller's would be.
 */
export async function startAttemptInBackground(
  ctx: AppContext,
  spec: RunSpec,
  resumedFrom: string | null,
  log: FastifyBaseLogger,
): Promise<z.output<typeof acceptedAttemptSchema>> {
  const handle = await ctx.runService.start(spec);
  handle.result
    .then(async (result) => {
      if (spec.session_id !== undefined) await saveConversation(ctx.storage, spec.bot_id, spec.session_id, result);
    })
    .catch((error: unknown) =>
      log.warn({ runId: handle.runId, err: error }, "a run started with respond-async failed"),
    );
  return { run_id: handle.runId, resumed_from: resumedFrom };
}
