import { type FormEvent, useState } from "react";
import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { ErrorState } from "../components/error-state.tsx";
import { formatTime } from "../components/format.ts";
import { LoadingState } from "../components/loading-state.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useAsync } from "../components/use-async.ts";
import { uploadDocument } from "../documents/upload-document.ts";

/** A bot's documents: upload (with progress), list, delete. */
export function DocumentsPage({ identity, botId }: { readonly identity: Identity; readonly botId: string }) {
  const client = identity.client;
  const [docs, reload] = useAsync((signal) => client.listDocuments(botId, signal), [client, botId]);
  const [progress, setProgress] = useState<number | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const upload = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const file = (form.elements.namedItem("file") as HTMLInputElement | null)?.files?.[0];
    if (file === undefined) {
      setMessage({ error: true, text: "Choose a file first (PDF, DOCX, Markdown or text)." });
      return;
    }
    setProgress(0);
    setMessage(null);
    try {
      const url = client.url(`/documents/upload?bot_id=${encodeURIComponent(botId)}`);
      const result = await uploadDocument(url, client.authHeaders(), file, setProgress);
      setMessage({ error: false, text: result.message });
      form.reset();
      reload();
    } catch (error) {
      setMessage({ error: true, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setProgress(null);
    }
  };

  const remove = async (id: string, filename: string) => {
    if (!window.confirm(`Delete ${filename} and its chunks?`)) return;
    try {
      await client.deleteDocument(botId, id);
      setMessage({ error: false, text: `Deleted ${filename}.` });
      reload();
    } catch (error) {
      setMessage({ error: true, text: error instanceof Error ? error.message : String(error) });
    }
  };

  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">Documents</h2>
      <form className="upload" onSubmit={upload}>
        <label htmlFor="upload-file">Upload a document</label>
        <input id="upload-file" name="file" type="file" accept=".pdf,.docx,.md,.markdown,.txt,text/plain" />
        <button type="submit" disabled={progress !== null}>
          Upload
        </button>
        {progress !== null && (
          <progress max={1} value={progress} aria-label="Upload progress">
            {Math.round(progress * 100)}%
          </progress>
        )}
      </form>
      {message !== null && (
        <p className={message.error ? "form-error" : "notice"} role={message.error ? "alert" : "status"}>
          {message.text}
        </p>
      )}
      {docs.status === "loading" && <LoadingState what="documents" />}
      {docs.status === "error" && <ErrorState error={docs.error} onRetry={reload} />}
      {docs.status === "done" && docs.data.items.length === 0 && (
        <EmptyState title="No documents yet">
          Upload a PDF, DOCX, Markdown or text file for the bot to answer from.
        </EmptyState>
      )}
      {docs.status === "done" && docs.data.items.length > 0 && (
        <table className="table" data-testid="documents-table">
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Status</th>
              <th scope="col">Chunks</th>
              <th scope="col">Size</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {docs.data.items.map((d) => (
              <tr key={d.id}>
                <td>{d.filename}</td>
                <td>
                  <StatusBadge status={d.status ?? "?"} />
                </td>
                <td>{d.chunk_count ?? "—"}</td>
                <td>{d.bytes === undefined ? "—" : `${Math.ceil(d.bytes / 1024)} KB`}</td>
                <td>{formatTime(d.created_at)}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => void remove(d.id, d.filename)}
                    aria-label={`Delete ${d.filename}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
