/**
 * The spec of an `api` run of a bot's draft version: what tests submit to a RunService directly.
 * @module
 */
import type { RunSpec } from "../run-spec.ts";

/**
 * @param draft the draft version (as `saveDraft`/`getDraft` return it)
 * @param query given, the run's `query` input and system variable; absent, no inputs
 */
export function draftRunSpec(
  botId: string,
  draft: { readonly id: string; readonly checksum: string } | undefined,
  query?: string,
): RunSpec {
  const inputs = query === undefined ? {} : { query };
  return {
    spec_version: 1,
    bot_id: botId,
    target: { kind: "version", workflow_version_id: draft?.id ?? "", checksum: draft?.checksum ?? "" },
    inputs,
    system: inputs,
    trigger: "api",
    history: [],
  };
}
