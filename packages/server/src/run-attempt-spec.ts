/**
 * The spec of a new attempt at a stored run: a resume (from its failed node, a chosen node, or on
 * another published version) or a rerun from scratch. The HTTP routes and the CLI build them here.
 * @module
 */
import type { WorkflowV2 } from "@portflow/engine";
import type { Storage, WorkflowVersion } from "@portflow/storage";
import { AppError } from "./app-error.ts";
import { resumeIncompatibility } from "./resume-compatibility.ts";
import { downstreamOf, isReusable, RunService } from "./run-service.ts";
import { parseRunSpec, type RunSpec } from "./run-spec.ts";
import type { RunTarget } from "./workflow-runner.ts";

/** What building an attempt reads. */
export interface RunAttemptDeps {
  readonly storage: Pick<Storage, "runs" | "runSpecs" | "workflowVersions">;
  readonly runService: RunService;
}

/** How a resume is asked for. */
export interface ResumeRequest {
  /** Re-run from this top-level node (and everything downstream of it). */
  readonly fromNode?: string;
  /** Run on this published version number of the same bot instead of the run's own version. */
  readonly version?: number;
}

const RESUMABLE = new Set(["failed", "interrupted", "cancelled"]);

/** The stored run and its spec; 404 for another bot's or an unknown run, 409 for a run without a spec. */
export async function storedRunSpec(
  deps: RunAttemptDeps,
  botId: string,
  runId: string,
): Promise<{ status: string; spec: RunSpec }> {
  const run = await deps.storage.runs.get(botId, runId);
  if (run === undefined) throw AppError.notFound("workflow execution");
  const stored = await deps.storage.runSpecs.get(runId);
  if (stored?.spec === null || stored?.spec === undefined) {
    throw new AppError(409, "run_not_resumable", "this run was recorded without a run spec: it cannot run again", {
      run_id: runId,
    });
  }
  return { status: run.status, spec: parseRunSpec(stored.spec) };
}

/** The spec that runs a stored run again from scratch: same inputs, history and version. */
export async function rerunSpec(deps: RunAttemptDeps, botId: string, runId: string): Promise<RunSpec> {
  const { spec } = await storedRunSpec(deps, botId, runId);
  const { resume: _resume, ...fresh } = spec;
  return fresh;
}

/**
 * The spec that resumes a failed, interrupted or cancelled run (409 for another status). With
 * `version`, the spec targets that published version, refused with 409 `version_incompatible`
 * naming the first node whose recorded output the version would not reproduce.
 */
export async function resumeSpec(
  deps: RunAttemptDeps,
  botId: string,
  runId: string,
  request: ResumeRequest = {},
): Promise<RunSpec> {
  const { status, spec } = await storedRunSpec(deps, botId, runId);
  if (!RESUMABLE.has(status)) {
    throw new AppError(409, "run_not_resumable", `a ${status} run cannot be resumed`, { run_id: runId, status });
  }
  const resume = { from_run: runId, ...(request.fromNode !== undefined && { from_node: request.fromNode }) };
  if (request.version === undefined) return { ...spec, resume };
  const target = await versionTarget(deps, botId, request.version);
  const from = await ranOn(deps, spec);
  const to = deps.runService.runner.compile(target);
  const rerun = request.fromNode === undefined ? new Set<string>() : downstreamOf(to, request.fromNode);
  const reused = (await deps.storage.runSpecs.recordedNodes(runId))
    .filter((node) => isReusable(node) && !rerun.has(node.nodeId))
    .map((node) => node.nodeId);
  const conflict = resumeIncompatibility(from, to.workflow, reused);
  if (conflict !== undefined) {
    throw new AppError(
      409,
      "version_incompatible",
      `version ${request.version} is not compatible with this run up to its resume point: ${conflict.message} (${conflict.reason})`,
      { version: request.version, node_id: conflict.nodeId, reason: conflict.reason },
    );
  }
  return { ...spec, target: RunService.targetSpec(target), resume };
}

/** A published (or since archived) version by number, as a run target; 404 naming the number otherwise. */
async function versionTarget(deps: RunAttemptDeps, botId: string, number: number): Promise<RunTarget> {
  const version = await deps.storage.workflowVersions.get(botId, number);
  if (version === undefined || version.versionNumber === null) {
    throw new AppError(404, "not_found", `workflow version ${number} not found`, {
      resource: "workflow_version",
      version: number,
    });
  }
  return targetOf(version);
}

function targetOf(version: WorkflowVersion): RunTarget {
  return {
    kind: version.schemaVersion === 2 ? "v2" : "v1",
    graph: version.graph,
    workflowVersionId: version.id,
    checksum: version.checksum,
    cacheKey: `${version.id}@${version.checksum}`,
  };
}

/**
 * The workflow the run ran on. A draft saved since is found again as the published version with
 * its checksum; with neither, there is nothing to compare against (409).
 */
async function ranOn(deps: RunAttemptDeps, spec: RunSpec): Promise<WorkflowV2> {
  try {
    return deps.runService.runner.compile(await deps.runService.target(spec)).workflow;
  } catch (error) {
    const t = spec.target;
    if (!(error instanceof AppError && error.code === "workflow_changed" && t.kind === "version")) throw error;
    const page = await deps.storage.workflowVersions.list(spec.bot_id, { limit: 200 });
    const same = page.items.find((v) => v.checksum === t.checksum);
    if (same === undefined) {
      throw new AppError(
        409,
        "workflow_changed",
        "the workflow this run ran on changed since and was never published: no version to compare against",
        { workflow_version_id: t.workflow_version_id },
      );
    }
    return deps.runService.runner.compile(targetOf(same)).workflow;
  }
}
