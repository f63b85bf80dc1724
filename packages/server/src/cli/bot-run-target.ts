import type { Bot, Storage } from "@portflow/storage";
import type { RunTarget } from "../workflow-runner.ts";
import { CliError } from "./cli-error.ts";

/** What a run of a bot executes, and how to name it to a person. */
export interface BotRunTarget {
  readonly target: RunTarget;
  /** `V2 version 3` or `V1 workflow (through the adapter)`. */
  readonly label: string;
}

/**
 * What `portflow run` executes for a bot, by the chat route's rule: its published version when the
 * bot uses V2 and has one, otherwise its V1 workflow through the adapter.
 */
export async function botRunTarget(storage: Pick<Storage, "workflowVersions">, bot: Bot): Promise<BotRunTarget> {
  if (bot.useWorkflowV2 && bot.publishedVersionId !== null) {
    const version = await storage.workflowVersions.get(bot.id, bot.publishedVersionId);
    if (version !== undefined) {
      return {
        target: {
          kind: version.schemaVersion === 2 ? "v2" : "v1",
          graph: version.graph,
          workflowVersionId: version.id,
          cacheKey: version.id,
        },
        label: `V${version.schemaVersion} version ${version.versionNumber}`,
      };
    }
  }
  if (bot.legacyWorkflow !== null && bot.legacyWorkflow !== undefined) {
    return { target: { kind: "v1", graph: bot.legacyWorkflow }, label: "V1 workflow (through the adapter)" };
  }
  throw new CliError(
    bot.useWorkflowV2
      ? `bot ${bot.id} has no workflow to run: push and publish one first (portflow workflow push, workflow publish)`
      : `bot ${bot.id} has no workflow to run: it has no V1 workflow and does not use V2`,
  );
}
