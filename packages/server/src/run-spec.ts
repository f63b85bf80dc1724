/**
 * The run spec: everything a run needs to execute, stored with its `queued` row before anything
 * executes, so any process (this one, a worker, a later resume) can execute it from its id.
 * @module
 */
import { z } from "zod";

const targetSchema = z.discriminatedUnion("kind", [
  z.object({
    /** A stored workflow version (a published one, or the draft for a debug run). */
    kind: z.literal("version"),
    workflow_version_id: z.string().min(1),
    /** The version's checksum when submitted: a draft saved since cannot run in its place. */
    checksum: z.string().min(1),
  }),
  z.object({
    /** The bot's V1 `legacy_workflow`, through the adapter. */
    kind: z.literal("legacy"),
    /** `workflowChecksum` of the V1 graph when submitted. */
    checksum: z.string().min(1),
  }),
]);

/** Version 1 of the stored run spec. */
export const runSpecSchema = z.object({
  spec_version: z.literal(1),
  bot_id: z.string().min(1),
  target: targetSchema,
  /** The run's inputs (the start node's), without the history. */
  inputs: z.record(z.string(), z.unknown()),
  /** `sys.*` values (`run_id` is the run's own). */
  system: z.record(z.string(), z.unknown()),
  trigger: z.enum(["chat", "api", "debug", "cli"]),
  session_id: z.string().min(1).optional(),
  /** The chat history the run answers with (the `history` input). */
  history: z.array(z.unknown()),
  /**
   * Continue from an earlier run: its succeeded nodes are not run again. `from_node` re-runs that
   * node and everything downstream of it too.
   */
  resume: z.object({ from_run: z.string().min(1), from_node: z.string().min(1).optional() }).optional(),
  /**
   * Run this one top-level node of the target alone (a single-node debug run), its input ports
   * given these values; `inputs` above are then empty.
   */
  debug_node: z.object({ node_id: z.string().min(1), inputs: z.record(z.string(), z.unknown()) }).optional(),
});

/** A run spec as stored and executed. */
export type RunSpec = z.output<typeof runSpecSchema>;

/** A stored spec that no longer parses (written by another version, or edited by hand). */
export class InvalidRunSpecError extends Error {
  override readonly name = "InvalidRunSpecError";
}

/** Parses a stored spec; throws InvalidRunSpecError naming the first bad field. */
export function parseRunSpec(value: unknown): RunSpec {
  const parsed = runSpecSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidRunSpecError(`invalid run spec: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
}
