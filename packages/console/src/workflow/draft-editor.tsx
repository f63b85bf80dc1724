import { useEffect, useRef, useState } from "react";
import type { ApiClient } from "../api/api-client.ts";
import type { WorkflowVersion } from "../api/api-types.ts";
import { parseDraftJson } from "./parse-draft-json.ts";

interface DraftEditorProps {
  readonly client: ApiClient;
  readonly botId: string;
  readonly draft: WorkflowVersion | null;
  /** what a new draft starts from (the published graph) */
  readonly fallbackGraph: unknown;
  readonly onSaved: (draft: WorkflowVersion) => void;
  readonly onPublished: (version: WorkflowVersion) => void;
}

/** After this pause in typing, valid JSON is saved as the draft, and the API's problems come back. */
const SAVE_DELAY_MS = 700;

/**
 * The draft as JSON: checked as you type (syntax here, the workflow by the API on each save),
 * saved with its revision (a stale one is refused, never overwritten), and published.
 */
export function DraftEditor({ client, botId, draft, fallbackGraph, onSaved, onPublished }: DraftEditorProps) {
  const [text, setText] = useState(() => JSON.stringify(draft?.graph ?? fallbackGraph, null, 2));
  const [state, setState] = useState<{ kind: "idle" | "saving" | "saved" | "error"; message: string }>({
    kind: "idle",
    message: draft === null ? "No draft yet: editing starts one from the published version." : "",
  });
  const revision = useRef(draft?.revision ?? 0);
  const lastSaved = useRef(JSON.stringify(draft?.graph ?? fallbackGraph));
  const parsed = parseDraftJson(text);

  useEffect(() => {
    if (draft !== null && draft.revision >= revision.current) revision.current = draft.revision;
  }, [draft]);

  const save = async (graph: Record<string, unknown>): Promise<WorkflowVersion | null> => {
    setState({ kind: "saving", message: "Saving and validating…" });
    try {
      const saved = await client.saveDraft(botId, graph, revision.current);
      revision.current = saved.revision;
      lastSaved.current = JSON.stringify(graph);
      setState({
        kind: "saved",
        message: saved.valid
          ? `Saved revision ${saved.revision}: valid.`
          : `Saved revision ${saved.revision}: ${saved.problems.length} problem(s), shown on the graph.`,
      });
      onSaved(saved);
      return saved;
    } catch (error) {
      setState({ kind: "error", message: error instanceof Error ? error.message : String(error) });
      return null;
    }
  };

  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: saves when the text changes, not when save does
  useEffect(() => {
    const current = parseDraftJson(text);
    if (!current.ok) return;
    const json = JSON.stringify(current.graph);
    timer.current = setTimeout(() => {
      if (json !== lastSaved.current) void save(current.graph);
    }, SAVE_DELAY_MS);
    return () => clearTimeout(timer.current);
  }, [text]);

  const publish = async () => {
    if (!parsed.ok) return;
    clearTimeout(timer.current);
    let current = draft;
    if (JSON.stringify(parsed.graph) !== lastSaved.current || current === null) current = await save(parsed.graph);
    if (current === null) return;
    if (!current.valid) {
      setState({ kind: "error", message: "Fix the problems before publishing." });
      return;
    }
    try {
      const version = await client.publishDraft(botId, revision.current);
      // publishing uses the draft up: the next edit starts a new one (revision 0)
      revision.current = 0;
      lastSaved.current = JSON.stringify(parsed.graph);
      setState({ kind: "saved", message: `Published v${version.version_number ?? "?"}.` });
      onPublished(version);
    } catch (error) {
      setState({ kind: "error", message: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <div className="draft-editor">
      <label htmlFor="draft-json">Workflow JSON</label>
      <textarea
        id="draft-json"
        data-testid="draft-json"
        spellCheck={false}
        rows={18}
        value={text}
        onChange={(e) => setText(e.target.value)}
        aria-invalid={!parsed.ok}
        aria-describedby="draft-status"
      />
      <p
        id="draft-status"
        data-testid="draft-status"
        className={!parsed.ok || state.kind === "error" ? "form-error" : "muted"}
        role="status"
        aria-live="polite"
      >
        {!parsed.ok ? parsed.message : state.message}
      </p>
      <button type="button" onClick={() => void publish()} disabled={!parsed.ok || state.kind === "saving"}>
        Publish draft
      </button>
    </div>
  );
}
