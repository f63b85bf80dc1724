/**
 * Conversation variables around a run: loaded for the session before it, stored after it.
 * @module
 */
import type { RunResult, WorkflowV2 } from "@portflow/engine";
import type { Storage } from "@portflow/storage";

/**
 * The session's stored conversation variables (empty for a new session). A workflow that declares
 * none costs no query: most chats never touch the table.
 */
export async function loadConversation(
  storage: Pick<Storage, "conversationVariables">,
  workflow: Pick<WorkflowV2, "conversation_variables">,
  botId: string,
  sessionId: string | undefined,
): Promise<Record<string, unknown>> {
  if (sessionId === undefined || workflow.conversation_variables === undefined) return {};
  return storage.conversationVariables.get(botId, sessionId);
}

/**
 * Stores what a run wrote to its conversation variables — only when it succeeded (a
 * `partial-succeeded` run reached its end through a handled failure, so its writes count too);
 * a failed or cancelled run leaves the session as it was.
 */
export async function saveConversation(
  storage: Pick<Storage, "conversationVariables">,
  botId: string,
  sessionId: string,
  result: RunResult,
): Promise<void> {
  if (result.status !== "succeeded" && result.status !== "partial-succeeded") return;
  const changed = result.conversation?.changed ?? {};
  if (Object.keys(changed).length === 0) return;
  await storage.conversationVariables.apply(botId, sessionId, changed);
}
