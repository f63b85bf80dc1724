import { type FormEvent, useRef, useState } from "react";
import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { formatMs } from "../components/format.ts";
import { streamChat } from "../playground/stream-chat.ts";
import { routeHash } from "../routing/parse-route.ts";
import { type RetrievedChunk, retrievedChunks } from "../run/retrieved-chunks.ts";

interface Turn {
  readonly id: number;
  readonly question: string;
  answer: string;
  sources: RetrievedChunk[];
  runId: string | null;
  status: "streaming" | "done" | "failed";
  error: string | null;
  elapsedMs: number | null;
}

/** Chat with the bot's published workflow, streamed; each answer links to its recorded run. */
export function PlaygroundPage({ identity, botId }: { readonly identity: Identity; readonly botId: string }) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [busy, setBusy] = useState(false);
  const session = useRef<string | undefined>(undefined);
  const nextId = useRef(0);

  const send = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const input = form.elements.namedItem("message") as HTMLTextAreaElement;
    const message = input.value.trim();
    if (message === "") return;
    const turn: Turn = {
      id: nextId.current++,
      question: message,
      answer: "",
      sources: [],
      runId: null,
      status: "streaming",
      error: null,
      elapsedMs: null,
    };
    setTurns((t) => [...t, turn]);
    const update = () => setTurns((t) => [...t.slice(0, -1), { ...turn }]);
    input.value = "";
    setBusy(true);
    try {
      await streamChat(
        identity.client.url("/chat"),
        identity.client.authHeaders(),
        { bot_id: botId, message, ...(session.current !== undefined && { session_id: session.current }) },
        ({ event: name, data }) => {
          if (name === "run.started" && typeof data.run_id === "string") turn.runId = data.run_id;
          if (name === "text" && typeof data.delta === "string") turn.answer += data.delta;
          if (name === "error") {
            turn.status = "failed";
            turn.error = String(data.message ?? "the run failed");
          }
          if (name === "run.finished") {
            if (typeof data.response === "string") turn.answer = data.response;
            if (typeof data.session_id === "string") session.current = data.session_id;
            if (typeof data.run_id === "string") turn.runId = data.run_id;
            turn.sources = retrievedChunks(data.sources);
            turn.elapsedMs = typeof data.elapsed_ms === "number" ? data.elapsed_ms : null;
            if (turn.status !== "failed") turn.status = "done";
          }
          update();
        },
      );
      if (turn.status === "streaming") turn.status = "done";
    } catch (error) {
      turn.status = "failed";
      turn.error = error instanceof Error ? error.message : String(error);
    } finally {
      update();
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="playground-title">
      <h2 id="playground-title">Playground</h2>
      {turns.length === 0 && (
        <EmptyState title="Ask the bot something">It answers with its published workflow.</EmptyState>
      )}
      <ol className="chat" aria-live="polite">
        {turns.map((t) => (
          <li key={t.id} data-testid="chat-turn">
            <p className="chat-q">{t.question}</p>
            <div className="chat-a">
              <p data-testid="chat-answer">{t.answer || (t.status === "streaming" ? "…" : "")}</p>
              {t.error !== null && (
                <p className="form-error" role="alert">
                  {t.error}
                </p>
              )}
              {t.sources.length > 0 && (
                <details>
                  <summary>Sources ({t.sources.length})</summary>
                  <ol>
                    {t.sources.map((s) => (
                      <li key={`${s.documentId}:${s.chunkIndex}:${s.content.slice(0, 40)}`}>
                        {s.source} {s.score !== null && <span className="mono">({s.score.toFixed(3)})</span>}
                      </li>
                    ))}
                  </ol>
                </details>
              )}
              {t.runId !== null && (
                <a href={routeHash({ page: "run", botId, runId: t.runId })}>
                  Recorded run{t.elapsedMs !== null && ` (${formatMs(t.elapsedMs)})`}
                </a>
              )}
            </div>
          </li>
        ))}
      </ol>
      <form className="chat-form" onSubmit={send}>
        <label htmlFor="chat-message">Message</label>
        <textarea id="chat-message" name="message" rows={3} />
        <button type="submit" disabled={busy}>
          {busy ? "Answering…" : "Send"}
        </button>
      </form>
    </section>
  );
}
