import { useEffect, useMemo, useState } from "react";
import type { WorkflowVersion } from "../api/api-types.ts";
import type { Identity } from "../auth/sign-in.ts";
import { EmptyState } from "../components/empty-state.tsx";
import { ErrorState } from "../components/error-state.tsx";
import { formatTime } from "../components/format.ts";
import { LoadingState } from "../components/loading-state.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { useAsync } from "../components/use-async.ts";
import { mapProblems } from "../graph/map-problems.ts";
import { WorkflowGraph } from "../graph/workflow-graph.tsx";
import { workflowGraphModel } from "../graph/workflow-graph-model.ts";
import { VersionDiff } from "../versions/version-diff.tsx";
import { DraftEditor } from "../workflow/draft-editor.tsx";

interface WorkflowData {
  readonly versions: readonly WorkflowVersion[];
  readonly draft: WorkflowVersion | null;
}

function versionName(v: WorkflowVersion): string {
  return v.version_number !== null ? `v${v.version_number}` : v.status;
}

/** A bot's workflow: published version and draft as graphs, versions, the draft editor, publish. */
export function WorkflowPage({ identity, botId }: { readonly identity: Identity; readonly botId: string }) {
  const client = identity.client;
  const [data, reload] = useAsync(
    async (signal): Promise<WorkflowData> => {
      const [page, draft] = await Promise.all([client.listVersions(botId, signal), client.getDraft(botId, signal)]);
      return { versions: page.items, draft };
    },
    [client, botId],
  );
  const [savedDraft, setDraft] = useState<WorkflowVersion | null>(null);
  const [shownId, setShownId] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const loadedDraft = data.status === "done" ? data.data.draft : null;
  // the editor's saves replace the loaded draft
  useEffect(() => setDraft(loadedDraft), [loadedDraft]);
  // right after a reload the effect has not run yet: the loaded draft, not null, is the draft
  // (else the editor mounts believing there is none, and restores and publishes lose their revision)
  const draft = savedDraft ?? loadedDraft;

  const versions = data.status === "done" ? data.data.versions : [];
  const published = versions.find((v) => v.status === "published") ?? null;
  const shown = (shownId === "draft" ? draft : versions.find((v) => v.id === shownId)) ?? draft ?? published ?? null;
  const model = useMemo(() => (shown === null ? null : workflowGraphModel(shown.graph)), [shown]);
  const problems = useMemo(
    () => (shown === null || model === null ? null : mapProblems(shown.problems, model)),
    [shown, model],
  );

  const restore = async (version: WorkflowVersion) => {
    if (
      draft !== null &&
      !window.confirm(`Replace the draft (revision ${draft.revision}) with ${versionName(version)}?`)
    ) {
      return;
    }
    try {
      const restored = await client.restoreVersion(botId, version.id, draft?.revision);
      setNotice(`Restored ${versionName(version)} into the draft (revision ${restored.revision}).`);
      setShownId("draft");
      reload();
    } catch (error) {
      setNotice(`Could not restore ${versionName(version)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  if (data.status === "loading") return <LoadingState what="the workflow" />;
  if (data.status === "error") return <ErrorState error={data.error} onRetry={reload} />;

  return (
    <section aria-labelledby="workflow-title" data-testid="workflow-page">
      <h2 id="workflow-title">Workflow</h2>
      <p>
        Published:{" "}
        <strong data-testid="published-version">{published === null ? "nothing yet" : versionName(published)}</strong>
        {" · "}Draft:{" "}
        <strong>
          {draft === null
            ? "none"
            : `revision ${draft.revision}, ${draft.valid ? "valid" : `${draft.problems.length} problem(s)`}`}
        </strong>
      </p>
      {notice !== null && (
        <p className="notice" role="status" data-testid="workflow-notice">
          {notice}
        </p>
      )}
      <fieldset className="toolbar">
        <legend className="sr-only">Which graph to show</legend>
        {draft !== null && (
          <button type="button" aria-pressed={shown?.id === draft.id} onClick={() => setShownId("draft")}>
            Draft
          </button>
        )}
        {versions.map((v) => (
          <button key={v.id} type="button" aria-pressed={shown?.id === v.id} onClick={() => setShownId(v.id)}>
            {versionName(v)}
            {v.status === "published" && " (published)"}
          </button>
        ))}
      </fieldset>
      {shown === null || model === null ? (
        <EmptyState title="No workflow yet">Write a draft below and publish it.</EmptyState>
      ) : (
        <>
          <WorkflowGraph
            model={model}
            problems={problems ?? undefined}
            label={`Workflow graph of ${shown.status === "draft" ? "the draft" : versionName(shown)}`}
          />
          {problems !== null && (problems.general.length > 0 || shown.problems.length > 0) && (
            <section className="problems" aria-label="Validation problems">
              <h3>Problems ({shown.problems.length})</h3>
              <ul data-testid="problem-list">
                {shown.problems.map((p) => (
                  <li key={`${p.path}:${p.code}:${p.message}`}>
                    <code>{p.path || "(workflow)"}</code> {p.message}
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
      <section aria-labelledby="draft-editor-title">
        <h3 id="draft-editor-title">Edit the draft</h3>
        <DraftEditor
          client={client}
          botId={botId}
          draft={draft}
          fallbackGraph={published?.graph ?? { schema_version: 2, nodes: [], edges: [] }}
          onSaved={(saved) => {
            setDraft(saved);
            setShownId("draft");
            setNotice(null);
          }}
          onPublished={(version) => {
            setNotice(`Published ${versionName(version)}.`);
            setShownId(null);
            reload();
          }}
        />
      </section>
      <section aria-labelledby="versions-title">
        <h3 id="versions-title">Versions</h3>
        {versions.length === 0 ? (
          <EmptyState title="Nothing published yet" />
        ) : (
          <table className="table" data-testid="versions-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Published</th>
                <th scope="col">Notes</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <td>{versionName(v)}</td>
                  <td>
                    <StatusBadge status={v.status} />
                  </td>
                  <td>{formatTime(v.published_at)}</td>
                  <td>{v.notes}</td>
                  <td>
                    <button type="button" onClick={() => void restore(v)}>
                      Restore {versionName(v)} into the draft
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="compare-title">
        <h3 id="compare-title">Compare versions</h3>
        <VersionDiff versions={draft !== null ? [draft, ...versions] : versions} nameOf={versionName} />
      </section>
    </section>
  );
}
