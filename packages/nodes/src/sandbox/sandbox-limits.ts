import { z } from "zod";

/** Time and memory one sandboxed call may use. */
export interface SandboxLimits {
  /** Wall-clock time of one call, in milliseconds. */
  readonly time_ms: number;
  /** Memory the call's interpreter may allocate, in MiB. */
  readonly memory_mb: number;
}

/**
 * Server-set limits of the `code` and `template-transform` nodes: what a node gets when its
 * config names no `limits`, and the most a node may ask for.
 */
export interface SandboxLimitOptions {
  /** Default: 5,000 ms and 64 MiB. */
  readonly defaults?: Partial<SandboxLimits>;
  /** Default: 30,000 ms and 256 MiB. A node's `limits` above these fail validation. */
  readonly maxima?: Partial<SandboxLimits>;
}

/** The documented defaults: 5 s and 64 MiB per call. */
export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = Object.freeze({ time_ms: 5_000, memory_mb: 64 });

/** The documented maxima: 30 s and 256 MiB per call. */
export const MAX_SANDBOX_LIMITS: SandboxLimits = Object.freeze({ time_ms: 30_000, memory_mb: 256 });

/** Defaults and maxima after applying options; defaults never exceed maxima. */
export interface ResolvedSandboxLimits {
  readonly defaults: SandboxLimits;
  readonly maxima: SandboxLimits;
}

const limitsOptionSchema = z
  .object({
    time_ms: z.number().int().min(1).max(600_000).optional(),
    memory_mb: z.number().int().min(8).max(4_096).optional(),
  })
  .strict();

/** Checks server options once (they come from configuration) and fills in the documented values. */
export function resolveSandboxLimits(options: SandboxLimitOptions = {}): ResolvedSandboxLimits {
  const maxima = { ...MAX_SANDBOX_LIMITS, ...limitsOptionSchema.parse(options.maxima ?? {}) };
  const wanted = { ...DEFAULT_SANDBOX_LIMITS, ...limitsOptionSchema.parse(options.defaults ?? {}) };
  const defaults = {
    time_ms: Math.min(wanted.time_ms, maxima.time_ms),
    memory_mb: Math.min(wanted.memory_mb, maxima.memory_mb),
  };
  return Object.freeze({ defaults: Object.freeze(defaults), maxima: Object.freeze(maxima) });
}

/** The `limits` field of a sandboxed node's config, bounded by the server's maxima. */
export function nodeLimitsSchema(maxima: SandboxLimits) {
  return z
    .object({
      time_ms: z.number().int().min(1).max(maxima.time_ms).optional(),
      memory_mb: z.number().int().min(1).max(maxima.memory_mb).optional(),
    })
    .strict()
    .optional();
}

/** The limits of one call: the node's own where it set them, the server defaults otherwise. */
export function limitsFor(
  requested: Partial<SandboxLimits> | undefined,
  resolved: ResolvedSandboxLimits,
): SandboxLimits {
  return {
    time_ms: requested?.time_ms ?? resolved.defaults.time_ms,
    memory_mb: requested?.memory_mb ?? resolved.defaults.memory_mb,
  };
}
