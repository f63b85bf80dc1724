import type { Bot, Storage } from "@portflow/storage";
import type { RunTarget } from "./workflow-runner.ts";

/** What a bot's chat runs, and how to name it to a person. */
export interface BotWorkflowTarget {
  readonly target: RunTarget;
  /** `V2 version 3` or `V1 workflow (through the adapter)`. */
  readonly label: string;
}

/**
 * The one rule for what a bot runs (chat route and `portflow run`): its published version when it
 * uses V2 and has one, otherwise its V1 workflow through the adapter; undefined when it has neither.
 * The target always carries the graph it runs; its cache key (version id and checksum) only
 * saves compiling it again.
 */
export async function botWorkflowTarget(
  storage: Pick<Storage, "workflowVersions">,
  bot: Bot,
): Promise<BotWorkflowTarget | undefined> {
  if (bot.useWorkflowV2 && bot.publishedVersionId !== null) {
    const id = bot.publishedVersionId;
    const version = await storage.workflowVersions.getPublishedGraph(bot.id, id);
    if (version !== undefined) {
      return {
        target: {
          kind: version.schemaVersion === 2 ? "v2" : "v1",
          graph: version.graph,
          workflowVersionId: id,
          checksum: version.checksum,
          cacheKey: `${id}@${version.checksum}`,
        },
        label: `V${version.schemaVersion} version ${version.versionNumber}`,
      };
    }
  }
  if (bot.legacyWorkflow !== null && bot.legacyWorkflow !== undefined) {
    return {
      target: { kind: "v1", graph: bot.legacyWorkflow, cacheKey: `legacy:${bot.id}:${bot.updatedAt.getTime()}` },
      label: "V1 workflow (through the adapter)",
    };
  }
  return undefined;
}
