import type { ChatMessage } from "@portflow/engine";

/**
 * Chat history as APIs that want alternating turns starting with the user take it (Bedrock
 * Converse, Anthropic Messages): empty messages dropped, neighbours of one role merged with a
 * blank line, a leading assistant turn dropped.
 */
export function alternatingTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const merged: { role: ChatMessage["role"]; texts: string[] }[] = [];
  for (const message of messages) {
    if (message.content === "") continue;
    const last = merged.at(-1);
    if (last && last.role === message.role) last.texts.push(message.content);
    else merged.push({ role: message.role, texts: [message.content] });
  }
  while (merged[0]?.role === "assistant") merged.shift();
  return merged.map((m) => ({ role: m.role, content: m.texts.join("\n\n") }));
}
